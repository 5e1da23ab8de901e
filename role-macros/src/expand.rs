//! The expansion: resolve every variant's permission in the model, collect every error, and
//! emit the impl (or, on error, the errors plus a stub impl so users see one error, not a
//! cascade of "trait not implemented").

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use role_gen_core::model::{Model, PermIdx, Permission};
use role_gen_core::{Error, names, suggest};
use syn::{Data, DeriveInput, Fields, Ident};

use crate::attrs::{self, RolesAttr};

/// One arm of the generated match: the pattern and the permission's variant.
struct Arm {
    pattern: TokenStream,
    variant: Ident,
}

/// Every error found, reported together.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push_error(syn::Error::new(span, message));
    }

    fn push_error(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let roles = match attrs::roles(&input.attrs, input.ident.span()) {
        Ok(r) => r,
        Err(e) => return fallback(input, &syn::parse_quote!(crate::roles), None, e),
    };
    let path = manifest_dir().join(&roles.file.0);
    let loaded = crate::cache::load(&path, std::path::Path::new(&roles.file.0));
    let project = match loaded.as_ref() {
        Ok(project) => project,
        Err(e) => return fallback(input, &roles.module, Some(&path), load_error(&roles, e)),
    };
    let model = project.model();
    let arms = arms(input, model, &roles, &mut errors);
    check_exhaustive(model, &roles, &arms, &mut errors);
    match errors.0 {
        Some(e) => fallback(input, &roles.module, Some(&path), e),
        None => implementation(input, &roles.module, &path, &arms),
    }
}

fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default()
}

fn load_error(roles: &RolesAttr, e: &Error) -> syn::Error {
    let message = match e {
        Error::Io { path, source } => {
            format!(
                "cannot read `{}`: {source}\nhelp: the path is relative to the folder of the crate's Cargo.toml",
                path.display()
            )
        }
        Error::Invalid(diagnostics) => {
            format!("roles.toml is invalid:\n{}", diagnostics.render_human(false).trim_end())
        }
        Error::Refused(reason) => format!("error[path-escape]: {reason}"),
    };
    syn::Error::new(roles.file.1, message)
}

/// The variants (or the struct) and the permission each requires.
fn arms(input: &DeriveInput, model: &Model, roles: &RolesAttr, errors: &mut Errors) -> Vec<(Arm, PermIdx)> {
    let items: Vec<(TokenStream, &[syn::Attribute], Span, String)> = match &input.data {
        Data::Enum(e) => e
            .variants
            .iter()
            .map(|v| {
                let ident = &v.ident;
                let pattern = match v.fields {
                    Fields::Unit => quote!(Self::#ident),
                    _ => quote!(Self::#ident { .. }),
                };
                (pattern, v.attrs.as_slice(), ident.span(), format!("variant `{ident}`"))
            })
            .collect(),
        Data::Struct(_) => vec![(quote!(_), input.attrs.as_slice(), input.ident.span(), format!("`{}`", input.ident))],
        Data::Union(_) => {
            errors.push(input.ident.span(), "`RequiresPermission` derives for enums and structs, not unions");
            return Vec::new();
        }
    };
    items
        .into_iter()
        .filter_map(|(pattern, attrs, span, what)| {
            resolve(model, roles, attrs, span, &what, errors).map(|(variant, p)| (Arm { pattern, variant }, p))
        })
        .collect()
}

/// The permission named by `#[permission(…)]`, checked; errors are pushed and give `None`.
fn resolve(
    model: &Model,
    roles: &RolesAttr,
    attrs: &[syn::Attribute],
    span: Span,
    what: &str,
    errors: &mut Errors,
) -> Option<(Ident, PermIdx)> {
    let (name, name_span) = match attrs::permission(attrs) {
        None => {
            errors.push(
                span,
                format!("{what} has no `#[permission(…)]`: every action must name the permission it requires"),
            );
            return None;
        }
        Some(Err(e)) => {
            errors.push_error(e);
            return None;
        }
        Some(Ok(found)) => found,
    };
    let Some(index) = model.permission(&name) else {
        let known = model.permissions().iter().map(|p| p.name.as_str());
        let hint = suggest::did_you_mean(&name, known).map(|h| format!("\nhelp: {h}")).unwrap_or_default();
        errors.push(name_span, format!("unknown permission `{name}` in roles.toml{hint}"));
        return None;
    };
    check_entity(model, roles, &model.permissions()[index], name_span, errors);
    Some((format_ident!("{}", names::rust_variant(&name), span = name_span), index))
}

fn check_entity(model: &Model, roles: &RolesAttr, permission: &Permission, span: Span, errors: &mut Errors) {
    let Some(entity) = &roles.entity else { return };
    let Some(e) = model.entity(&entity.value()) else { return };
    if !permission.entities.contains(&e) {
        let checked: Vec<String> =
            permission.entities.iter().map(|&i| format!("`{}`", model.entities()[i].name)).collect();
        errors.push(
            span,
            format!(
                "permission `{}` is not checked against entity `{}` (it is checked against {})",
                permission.name,
                entity.value(),
                checked.join(", ")
            ),
        );
    }
}

/// With `exhaustive`: every non-deprecated permission of the entity is required by a variant.
fn check_exhaustive(model: &Model, roles: &RolesAttr, arms: &[(Arm, PermIdx)], errors: &mut Errors) {
    let Some(entity) = &roles.entity else {
        if let Some(flag) = &roles.exhaustive {
            errors.push(flag.span(), "`exhaustive` needs `entity = \"…\"`: it lists every permission of that entity");
        }
        return;
    };
    let Some(e) = model.entity(&entity.value()) else {
        let known = model.entities().iter().map(|x| x.name.as_str());
        let hint = suggest::did_you_mean(&entity.value(), known).map(|h| format!("\nhelp: {h}")).unwrap_or_default();
        errors.push(entity.span(), format!("unknown entity `{}` in roles.toml{hint}", entity.value()));
        return;
    };
    let Some(flag) = &roles.exhaustive else { return };
    let missing: Vec<String> = model
        .indexed_permissions()
        .filter(|(i, p)| {
            p.entities.contains(&e) && !p.deprecated.is_deprecated() && !arms.iter().any(|(_, used)| used == i)
        })
        .map(|(_, p)| format!("`{}`", p.name))
        .collect();
    if !missing.is_empty() {
        errors.push(
            flag.span(),
            format!("not exhaustive: no variant requires {} of entity `{}`", missing.join(", "), entity.value()),
        );
    }
}

/// `const _` with `include_bytes!` makes rustc track roles.toml: editing it recompiles.
fn track(path: &std::path::Path) -> TokenStream {
    let path = path.to_string_lossy();
    quote!(
        const _: &[u8] = ::core::include_bytes!(#path);
    )
}

fn implementation(
    input: &DeriveInput,
    module: &syn::Path,
    path: &std::path::Path,
    arms: &[(Arm, PermIdx)],
) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let arms = arms.iter().map(|(arm, _)| {
        let (pattern, variant) = (&arm.pattern, &arm.variant);
        // The whole path carries the user's span: rustc reports `deprecated` only for code it
        // can attribute to the user, never for tokens of a derive's own expansion.
        let permission = respan(quote!(#module::Permission::#variant), variant.span());
        quote_spanned!(variant.span()=> #pattern => #permission,)
    });
    let track = track(path);
    quote! {
        impl #impl_generics #module::RequiresPermission for #ident #ty_generics #where_clause {
            fn required_permission(&self) -> #module::Permission {
                match self {
                    #(#arms)*
                }
            }
        }
        #track
    }
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tree = proc_macro2::TokenTree::Group(group);
            }
            tree.set_span(span);
            tree
        })
        .collect()
}

/// The errors, plus an impl that type-checks, so the trait's users do not fail too.
fn fallback(input: &DeriveInput, module: &syn::Path, path: Option<&std::path::Path>, error: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let errors = error.to_compile_error();
    let track = path.filter(|p| p.is_file()).map(track);
    quote! {
        #errors
        #track
        impl #impl_generics #module::RequiresPermission for #ident #ty_generics #where_clause {
            fn required_permission(&self) -> #module::Permission {
                ::core::panic!("role-gen: this derive failed to compile")
            }
        }
    }
}
