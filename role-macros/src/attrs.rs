//! The derive's attributes: `#[roles(…)]` on the type, `#[permission(…)]` on each variant.

use proc_macro2::Span;
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, LitStr, Path};

/// `#[roles(file = "…", module = path, entity = "…", exhaustive)]`.
pub struct RolesAttr {
    /// roles.toml, relative to `CARGO_MANIFEST_DIR`; the span of `file = "…"` when written.
    pub file: (String, Span),
    /// Where the generated module lives (default `crate::roles`).
    pub module: Path,
    /// The entity type every permission must be checked against.
    pub entity: Option<LitStr>,
    /// The `exhaustive` flag's token, when given.
    pub exhaustive: Option<Ident>,
}

/// Reads `#[roles(…)]`; every attribute is optional.
pub fn roles(attrs: &[Attribute], default_span: Span) -> syn::Result<RolesAttr> {
    let mut out = RolesAttr {
        file: ("roles.toml".into(), default_span),
        module: syn::parse_quote!(crate::roles),
        entity: None,
        exhaustive: None,
    };
    // A bare `#[roles]` takes every default.
    for attr in attrs.iter().filter(|a| a.path().is_ident("roles") && !matches!(a.meta, syn::Meta::Path(_))) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("file") {
                let lit: LitStr = meta.value()?.parse()?;
                out.file = (lit.value(), lit.span());
            } else if meta.path.is_ident("module") {
                out.module = meta.value()?.parse()?;
            } else if meta.path.is_ident("entity") {
                out.entity = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("exhaustive") {
                out.exhaustive = meta.path.get_ident().cloned();
            } else {
                return Err(meta.error("unknown `roles` option; expected `file`, `module`, `entity` or `exhaustive`"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// `#[permission(name)]` or `#[permission("name")]`: the name and its span.
pub fn permission(attrs: &[Attribute]) -> Option<syn::Result<(String, Span)>> {
    let attr = attrs.iter().find(|a| a.path().is_ident("permission"))?;
    Some(attr.parse_args_with(|input: syn::parse::ParseStream<'_>| {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            Ok((lit.value(), lit.span()))
        } else {
            let ident: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            Ok((ident.to_string(), ident.span()))
        }
    }))
    .map(|r| r.map_err(|e| syn::Error::new(attr.span(), format!("expected `#[permission(name)]`: {e}"))))
}
