//! A client of the service over tonic's generated clients, in the types roles.toml defines
//! (what `slack-client` runs, and what an application would call).

use tonic::Status;
use tonic::transport::Channel;

use crate::demo::{Case, Question};
use crate::roles::proto;
use crate::roles::proto::permission_service_client::PermissionServiceClient;
use crate::roles::proto::policy_service_client::PolicyServiceClient;
use crate::roles::{EntityType, Permission, Policy};

/// Both services of one server.
#[derive(Debug, Clone)]
pub struct Client {
    team: String,
    permissions: PermissionServiceClient<Channel>,
    policies: PolicyServiceClient<Channel>,
}

impl Client {
    /// Connects to `address` (`http://127.0.0.1:50051`), asking on behalf of `team`.
    pub async fn connect(address: &str, team: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let channel = Channel::from_shared(address.to_string())?.connect().await?;
        Ok(Client {
            team: team.to_string(),
            permissions: PermissionServiceClient::new(channel.clone()),
            policies: PolicyServiceClient::new(channel),
        })
    }

    /// `CheckPermissions`: whether `user` may use each of `permissions` on entity `id`.
    pub async fn check(
        &mut self,
        user: &str,
        (entity, id): (EntityType, &str),
        permissions: &[Permission],
    ) -> Result<Vec<bool>, Status> {
        let request = proto::CheckPermissionsRequest {
            team_id: self.team.clone(),
            user_id: user.to_string(),
            entity_id: id.to_string(),
            entity_type: proto::EntityType::from(entity) as i32,
            permissions: permissions.iter().map(|&p| proto::Permission::from(p) as i32).collect(),
        };
        let response = self.permissions.check_permissions(request).await?.into_inner();
        if response.decisions.len() != permissions.len() {
            return Err(Status::internal("the service answered another number of decisions than asked"));
        }
        Ok(response.decisions.iter().map(|d| d.decision == proto::Decision::Allow as i32).collect())
    }

    /// `ListPermissions`: every permission `user` holds on the path's first entity. The names
    /// this client does not know (a server built from a newer roles.toml) are left out.
    pub async fn list(&mut self, user: &str, path: &[(EntityType, &str)]) -> Result<Vec<Permission>, Status> {
        let request = proto::ListPermissionsRequest {
            team_id: self.team.clone(),
            user_id: user.to_string(),
            path: path.iter().map(|&(entity, id)| proto::EntityRef::new(entity, id)).collect(),
        };
        let response = self.permissions.list_permissions(request).await?.into_inner();
        Ok(response.permissions.into_iter().filter_map(|p| Permission::try_from(p).ok()).collect())
    }

    /// `CheckPolicy`: the policy's decision for `user` on entity `id`.
    pub async fn policy(&mut self, user: &str, id: &str, policy: Policy) -> Result<proto::PolicyDecision, Status> {
        let request = proto::CheckPolicyRequest {
            team_id: self.team.clone(),
            user_id: user.to_string(),
            entity_id: id.to_string(),
            policy: proto::Policy::from(policy) as i32,
        };
        let response = self.policies.check_policy(request).await?.into_inner();
        response.decision.ok_or_else(|| Status::internal("the service answered no decision"))
    }

    /// Asks what `case` asks: whether it is allowed.
    pub async fn ask(&mut self, case: &Case) -> Result<bool, Status> {
        match case.question {
            Question::Permission(p) => Ok(self.check(case.user, (case.entity, case.id), &[p]).await?[0]),
            Question::Policy(policy) => {
                let decision = self.policy(case.user, case.id, policy).await?;
                Ok(decision.decision == proto::Decision::Allow as i32)
            }
        }
    }
}
