"""The Cedar judge of role-gen's `cedar` target (tests/engines_cedar.rs runs it).

It runs the real engine: cedarpy, a wheel of the `cedar-policy` crate (its validator and
authorizer), pinned by hash in tests/tools/requirements.txt and installed by scripts/test into
tests/tools/.venv.

Usage: python cedar_judge.py JOB.json

JOB.json holds:
  "schema", "policies":  paths of the generated roles.cedarschema and roles.cedar;
  "entities":            the entities, in Cedar's JSON entities format;
  "requests":            [principal, action, resource, context] each, the first three as
                         {"type": …, "id": …}, the context an object;
  "validate":            whether to run the validator (false: a sibling job runs it).

It validates the policies against the schema in strict mode (Cedar's default validation
mode), loads the entities against the schema, authorizes every request against the schema
(so a request whose context breaks the schema is an error, not a deny), and prints one JSON
object on stdout:
  "validation": the validator's errors (must be empty);
  "annotations": each policy's annotations, by its `@id`;
  "results": per request [decision, the `@id`s of the determining policies, errors];
  "timings": seconds spent validating, loading entities and authorizing, and the
             authorizer's own microseconds (`authz_duration_micros`) summed over requests;
  "fatal": why the engine refused the schema, the policies or the entities (then no request
           is authorized), if it did.
A job it cannot read exits 2 with the reason on stderr.
"""

import json
import sys
import time

try:
    import cedarpy
except ImportError as e:  # a missing judge fails the test, never skips it
    print(f"cedarpy is not installed ({e}): run scripts/test, which installs tests/tools/requirements.txt", file=sys.stderr)
    sys.exit(2)


# A policy only the strict mode refuses (a set mixing two entity types; permissive validation
# accepts it as a set of their least upper bound): validate_policies has no mode argument, so
# the judge checks that it validates strictly before trusting it.
STRICT_PROBE = (
    'namespace probe { entity U; entity R; action "a" appliesTo { principal: [probe::U], resource: [probe::R] }; }',
    "permit (principal, action, resource) when { [principal, resource].contains(principal) };",
)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def annotations_by_policy(policies_text):
    """Each parsed policy's id (`policy0`, …) -> its annotations."""
    est = json.loads(cedarpy.policies_to_json_str(policies_text))
    return {pid: p.get("annotations", {}) for pid, p in est.get("staticPolicies", {}).items()}


def main():
    if len(sys.argv) != 2:
        print("usage: cedar_judge.py JOB.json", file=sys.stderr)
        sys.exit(2)
    job = json.loads(read(sys.argv[1]))
    schema_text, policies_text = read(job["schema"]), read(job["policies"])
    timings = {}

    errors = []
    if cedarpy.validate_policies(STRICT_PROBE[1], STRICT_PROBE[0]).validation_passed:
        print("cedarpy's validator accepted a policy only permissive mode allows: it is not strict", file=sys.stderr)
        sys.exit(2)
    if job.get("validate", True):
        start = time.perf_counter()
        validation = cedarpy.validate_policies(policies_text, schema_text)
        timings["validate_seconds"] = time.perf_counter() - start
        errors = [str(e) for e in validation.errors]
        if not validation.validation_passed and not errors:
            errors = ["the validator failed without an error"]

    try:
        schema = cedarpy.Schema.from_str(schema_text)
        policy_set = cedarpy.PolicySet.from_str(policies_text)
        by_policy = annotations_by_policy(policies_text)
        start = time.perf_counter()
        entities = cedarpy.Entities.from_json_str(json.dumps(job["entities"]), schema)
        timings["entities_seconds"] = time.perf_counter() - start
    except ValueError as e:
        json.dump({"validation": errors, "fatal": str(e), "annotations": {}, "results": [], "timings": timings}, sys.stdout)
        return

    requests = [
        {"principal": p, "action": a, "resource": r, "context": c} for p, a, r, c in job["requests"]
    ]
    start = time.perf_counter()
    answers = cedarpy.is_authorized_batch(requests, policy_set, entities, schema)
    timings["authorize_seconds"] = time.perf_counter() - start
    timings["authorizer_micros"] = sum(a.metrics.get("authz_duration_micros", 0) for a in answers)
    timings["requests"] = len(answers)

    def named(pid):
        return by_policy.get(pid, {}).get("id", pid)

    results = [
        [a.decision.value, sorted(named(pid) for pid in a.diagnostics.reasons), list(a.diagnostics.errors)]
        for a in answers
    ]
    annotations = {named(pid): ann for pid, ann in by_policy.items()}
    json.dump({"validation": errors, "annotations": annotations, "results": results, "timings": timings}, sys.stdout)


if __name__ == "__main__":
    main()
