//! Semantic checks of a parsed model: names resolve, distributions exist with the right arity, parameters are declared once and before use, sizes and bounds use only what they may; implicit declarations get their kind and default transform here.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Ident};

use crate::ast::{pat_idents, Bounds, DistCall, ModelInput, ParamDecl, ParamKind, Stmt};
use ppl_core::dist::{family, FamilyInfo, SupportKind, FAMILIES};

type Result<T> = syn::Result<T>;

fn error(span: Span, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(span, message)
}

/// Checks the model and resolves implicit parameter declarations in place.
pub(crate) fn check(model: &mut ModelInput) -> Result<()> {
    let data: HashSet<String> = model.fields.iter().map(|f| f.name.to_string()).collect();
    for field in &model.fields {
        if field.size.len() != field.kind.size_arity() && field.size_span.is_some() {
            let expected = match field.kind.size_arity() {
                0 => "a scalar has no size".to_string(),
                1 => "a vector takes one size: `size = N`".to_string(),
                _ => "a matrix or 2-D array takes two sizes: `size = (N, M)`".to_string(),
            };
            return Err(error(
                field.size_span.unwrap_or_else(|| field.name.span()),
                format!(
                    "wrong size declaration for data `{}`; {expected}",
                    field.name
                ),
            ));
        }
        for expr in &field.size {
            for (ident, span) in free_idents(expr) {
                if !data.contains(&ident) {
                    return Err(error(
                        span,
                        format!(
                            "the size of data `{}` uses `{ident}`, which is not a data field",
                            field.name
                        ),
                    ));
                }
            }
        }
    }
    let all_params = collect_params(&model.body, &data);
    let mut checker = Checker {
        data,
        all_params,
        declared: HashSet::new(),
        derived: HashSet::new(),
        locals: vec![HashSet::new()],
        unconstrained_implicit: HashMap::new(),
    };
    checker.stmts(&mut model.body, true)
}

/// Names of every top-level parameter declaration, explicit or implicit, in order of appearance.
fn collect_params(body: &[Stmt], data: &HashSet<String>) -> HashMap<String, Span> {
    let mut known: HashSet<String> = data.clone();
    let mut params = HashMap::new();
    for stmt in body {
        match stmt {
            Stmt::Param(decl) => {
                known.insert(decl.name.to_string());
                params
                    .entry(decl.name.to_string())
                    .or_insert(decl.name.span());
            }
            Stmt::Sample { lhs, .. } => {
                if let Some((root, _)) = implicit_target(lhs) {
                    if !known.contains(&root.to_string()) {
                        known.insert(root.to_string());
                        params.insert(root.to_string(), root.span());
                    }
                }
            }
            Stmt::Let(local) => {
                let mut names = Vec::new();
                pat_idents(&local.pat, &mut names);
                known.extend(names.into_iter().map(|i| i.to_string()));
            }
            Stmt::Derived { name, .. } | Stmt::TransformedData { name, .. } => {
                known.insert(name.to_string());
            }
            _ => {}
        }
    }
    params
}

/// `name` or `name[size]`: the forms that declare a parameter implicitly.
fn implicit_target(lhs: &Expr) -> Option<(Ident, Vec<Expr>)> {
    match lhs {
        Expr::Path(path) => path.path.get_ident().map(|i| (i.clone(), Vec::new())),
        Expr::Index(index) => match &*index.expr {
            Expr::Path(path) => path
                .path
                .get_ident()
                .map(|i| (i.clone(), vec![(*index.index).clone()])),
            _ => None,
        },
        _ => None,
    }
}

/// The variable a `~` left side refers to: `y`, `y[n]`, `theta[j][k]`.
fn root_ident(expr: &Expr) -> Option<&Ident> {
    match expr {
        Expr::Path(path) => path.path.get_ident(),
        Expr::Index(index) => root_ident(&index.expr),
        Expr::Paren(paren) => root_ident(&paren.expr),
        Expr::Reference(reference) => root_ident(&reference.expr),
        _ => None,
    }
}

/// Single-segment paths used as values (not called as functions), minus closure parameters.
struct FreeIdents {
    found: Vec<(String, Span)>,
    bound: Vec<HashSet<String>>,
}

impl<'ast> Visit<'ast> for FreeIdents {
    fn visit_expr_path(&mut self, node: &'ast syn::ExprPath) {
        if let Some(ident) = node.path.get_ident() {
            let name = ident.to_string();
            if node.qself.is_none() && !self.bound.iter().any(|scope| scope.contains(&name)) {
                self.found.push((name, ident.span()));
            }
        }
    }
    fn visit_expr_call(&mut self, node: &'ast syn::ExprCall) {
        if !matches!(&*node.func, Expr::Path(_)) {
            self.visit_expr(&node.func);
        }
        for arg in &node.args {
            self.visit_expr(arg);
        }
    }
    fn visit_expr_closure(&mut self, node: &'ast syn::ExprClosure) {
        let mut names = Vec::new();
        for input in &node.inputs {
            pat_idents(input, &mut names);
        }
        self.bound
            .push(names.into_iter().map(|i| i.to_string()).collect());
        self.visit_expr(&node.body);
        self.bound.pop();
    }
    fn visit_expr_struct(&mut self, node: &'ast syn::ExprStruct) {
        for field in &node.fields {
            self.visit_expr(&field.expr);
        }
        if let Some(rest) = &node.rest {
            self.visit_expr(rest);
        }
    }
}

pub(crate) fn free_idents(expr: &Expr) -> Vec<(String, Span)> {
    let mut visitor = FreeIdents {
        found: Vec::new(),
        bound: Vec::new(),
    };
    visitor.visit_expr(expr);
    visitor.found
}

struct Checker {
    data: HashSet<String>,
    all_params: HashMap<String, Span>,
    declared: HashSet<String>,
    derived: HashSet<String>,
    locals: Vec<HashSet<String>>,
    /// Parameters declared implicitly by a prior over the whole real line (`sigma ~
    /// cauchy(0, 5)`), with that prior's name: an argument that must be positive or a
    /// probability cannot be one of them.
    unconstrained_implicit: HashMap<String, (&'static str, ParamKind)>,
}

impl Checker {
    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|scope| scope.contains(name))
    }

    fn bind_local(&mut self, ident: &Ident) {
        if let Some(scope) = self.locals.last_mut() {
            scope.insert(ident.to_string());
        }
    }

    fn scoped(&mut self, body: &mut [Stmt], bindings: &[Ident]) -> Result<()> {
        self.locals
            .push(bindings.iter().map(ToString::to_string).collect());
        let result = self.stmts(body, false);
        self.locals.pop();
        result
    }

    /// Every use of a name in `expr` refers to something declared before it.
    fn uses(&self, expr: &Expr) -> Result<()> {
        for (name, span) in free_idents(expr) {
            if self.is_local(&name) {
                continue;
            }
            if name == "target" {
                return Err(error(
                    span,
                    "`target` can only be incremented, as a statement: `target += …;`",
                ));
            }
            if self.all_params.contains_key(&name) && !self.declared.contains(&name) {
                return Err(error(
                    span,
                    format!(
                        "parameter `{name}` is used before its declaration; move its \
                         declaration (`{name} ~ …;` or `{name}: …;`) above this use"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A size expression names only data.
    fn size_uses(&self, expr: &Expr, param: &Ident) -> Result<()> {
        for (name, span) in free_idents(expr) {
            if !self.data.contains(&name) {
                return Err(error(
                    span,
                    format!(
                        "the size of `{param}` uses `{name}`, which is not a data field; \
                         parameter sizes are computed from data"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A bound names only data and earlier parameters.
    fn bound_uses(&self, expr: &Expr, param: &Ident) -> Result<()> {
        for (name, span) in free_idents(expr) {
            if self.data.contains(&name) || self.declared.contains(&name) {
                continue;
            }
            let what = if self.all_params.contains_key(&name) {
                format!("parameter `{name}`, which is declared after it")
            } else if self.is_local(&name) || self.derived.contains(&name) {
                format!("`{name}`, which is computed in the model")
            } else {
                format!("`{name}`, which is neither data nor a parameter")
            };
            return Err(error(
                span,
                format!(
                    "the constraint of `{param}` uses {what}; constraints may use data and \
                     earlier parameters only"
                ),
            ));
        }
        Ok(())
    }

    fn dist(&self, dist: &DistCall) -> Result<&'static FamilyInfo> {
        for arg in &dist.args {
            self.uses(arg)?;
        }
        let name = dist.name.to_string();
        let info = family(&name).ok_or_else(|| unknown_family(&dist.name))?;
        if dist.args.len() != info.args.len() {
            let expected = match info.args.len() {
                0 => "no arguments".to_string(),
                1 => format!("1 argument ({})", info.args[0]),
                n => format!("{n} arguments ({})", info.args.join(", ")),
            };
            return Err(error(
                dist.paren_span,
                format!(
                    "`{name}` takes {expected}, but {} {} given",
                    dist.args.len(),
                    if dist.args.len() == 1 { "was" } else { "were" }
                ),
            ));
        }
        for (arg, arg_name) in dist.args.iter().zip(info.args) {
            self.constrained_argument(arg, arg_name, info)?;
        }
        Ok(info)
    }

    /// An argument that must be positive (a scale, rate, shape, dispersion or degrees of
    /// freedom) or a probability is not a parameter that an implicit declaration left on the
    /// whole real line: Stan users write `real<lower=0> sigma; sigma ~ cauchy(0, 5);`, and
    /// `sigma ~ cauchy(0, 5)` alone would sample `sigma` unconstrained (half the draws
    /// rejected by the density's argument check).
    fn constrained_argument(&self, arg: &Expr, arg_name: &str, info: &FamilyInfo) -> Result<()> {
        let (rule, bounds) = match arg_name {
            "scale" | "rate" | "shape" | "dispersion" | "nu" => ("positive", "lower = 0.0"),
            "probability" => ("in [0, 1]", "lower = 0.0, upper = 1.0"),
            _ => return Ok(()),
        };
        let Expr::Path(path) = arg else {
            return Ok(());
        };
        let Some(ident) = path.path.get_ident() else {
            return Ok(());
        };
        let Some(&(prior, kind)) = self.unconstrained_implicit.get(&ident.to_string()) else {
            return Ok(());
        };
        let declaration = match kind {
            ParamKind::Vector => format!("vector<{bounds}>[…]"),
            _ => format!("real<{bounds}>"),
        };
        let half = format!("half_{prior}");
        let alternative = if family(&half).is_some() {
            format!(", or use `{half}`")
        } else {
            String::new()
        };
        Err(error(
            ident.span(),
            format!(
                "`{ident}` is the {arg_name} of `{}`, which must be {rule}, but `{ident} ~ \
                 {prior}(…)` declares it on the whole real line; declare its bound: \
                 `{ident}: {declaration} ~ {prior}(…);`{alternative}",
                info.name
            ),
        ))
    }

    fn stmts(&mut self, body: &mut [Stmt], top: bool) -> Result<()> {
        for stmt in body.iter_mut() {
            self.stmt(stmt, top)?;
        }
        Ok(())
    }

    fn stmt(&mut self, stmt: &mut Stmt, top: bool) -> Result<()> {
        match stmt {
            Stmt::Param(decl) => {
                if !top {
                    return Err(error(
                        decl.name.span(),
                        "parameters are declared at the top level of the model, not inside a \
                         loop, `if` or block",
                    ));
                }
                self.declare(decl)?;
            }
            Stmt::Sample { lhs, tilde, dist } => {
                let info = self.dist(dist)?;
                let root = root_ident(lhs).cloned().ok_or_else(|| {
                    error(
                        lhs.span(),
                        "the left side of `~` must be a data field or a parameter, optionally \
                         indexed (`y`, `y[n]`)",
                    )
                })?;
                let name = root.to_string();
                if self.is_local(&name) {
                    return Err(neither(&root, "a local variable"));
                }
                if self.declared.contains(&name) || self.derived.contains(&name) {
                    if info.support.is_discrete() {
                        return Err(error(
                            dist.name.span(),
                            format!(
                                "`{}` is a distribution over integers, so its left side must be \
                                 data, but `{name}` is a parameter",
                                info.name
                            ),
                        ));
                    }
                    self.uses(lhs)?;
                } else if self.data.contains(&name) {
                    self.uses(lhs)?;
                } else if let (true, Some((ident, sizes))) = (top, implicit_target(lhs)) {
                    let mut decl = ParamDecl {
                        name: ident,
                        kind: None,
                        sizes,
                        bounds: Bounds::default(),
                        prior: Some(dist.clone()),
                    };
                    let _ = tilde;
                    self.declare(&mut decl)?;
                    *stmt = Stmt::Param(Box::new(decl));
                } else if self.all_params.contains_key(&name) {
                    self.uses(lhs)?;
                } else {
                    return Err(neither(&root, "not declared"));
                }
            }
            Stmt::Target { expr, .. } => self.uses(expr)?,
            Stmt::Let(local) => {
                if let Some(init) = &local.init {
                    self.uses(&init.expr)?;
                    if let Some((_, diverge)) = &init.diverge {
                        self.uses(diverge)?;
                    }
                }
                let mut names = Vec::new();
                pat_idents(&local.pat, &mut names);
                for name in &names {
                    self.bind_local(name);
                }
            }
            Stmt::Derived { name, expr } => {
                if !top {
                    return Err(error(
                        name.span(),
                        "derived quantities are declared at the top level of the model",
                    ));
                }
                self.uses(expr)?;
                self.unique(name)?;
                self.derived.insert(name.to_string());
            }
            Stmt::TransformedData { name, expr, .. } => {
                if !top {
                    return Err(error(
                        name.span(),
                        "transformed data are declared at the top level of the model",
                    ));
                }
                for (used, span) in free_idents(expr) {
                    if !self.data.contains(&used) {
                        return Err(error(
                            span,
                            format!(
                                "transformed data `{name}` uses `{used}`, which is not data; \
                                 transformed data are computed once from data"
                            ),
                        ));
                    }
                }
                self.unique(name)?;
                self.data.insert(name.to_string());
            }
            Stmt::For {
                pat, iter, body, ..
            } => {
                self.uses(iter)?;
                let mut names = Vec::new();
                pat_idents(pat, &mut names);
                self.scoped(body, &names)?;
            }
            Stmt::While { cond, body, .. } => {
                self.uses(cond)?;
                self.scoped(body, &[])?;
            }
            Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                self.uses(cond)?;
                self.scoped(then, &[])?;
                if let Some(otherwise) = otherwise {
                    self.scoped(otherwise, &[])?;
                }
            }
            Stmt::Block(body) => self.scoped(body, &[])?,
            Stmt::Expr(expr) => self.uses(expr)?,
        }
        Ok(())
    }

    /// `name` is not yet data, a parameter, a derived quantity or a local.
    fn unique(&self, name: &Ident) -> Result<()> {
        let text = name.to_string();
        let previous = if self.data.contains(&text) {
            "data"
        } else if self.declared.contains(&text) {
            "a parameter"
        } else if self.derived.contains(&text) {
            "a derived quantity"
        } else if self.is_local(&text) {
            "a local variable"
        } else {
            return Ok(());
        };
        Err(error(
            name.span(),
            format!("`{name}` is already declared as {previous}; choose another name"),
        ))
    }

    fn declare(&mut self, decl: &mut ParamDecl) -> Result<()> {
        let name = decl.name.to_string();
        if self.declared.contains(&name) {
            return Err(error(
                decl.name.span(),
                format!("parameter `{name}` is declared twice; remove one declaration"),
            ));
        }
        self.unique(&decl.name)?;
        let info = match &decl.prior {
            Some(prior) => Some(self.dist(prior)?),
            None => None,
        };
        let implicit = decl.kind.is_none();
        let (kind, kind_span) = match decl.kind {
            Some(kind) => kind,
            None => implicit_kind(decl, info)?,
        };
        if let Some(info) = info {
            check_prior_fits(decl, kind, info)?;
            if decl.bounds.is_empty() && kind.takes_bounds() {
                decl.bounds = default_bounds(decl, info);
            }
            if implicit && decl.bounds.is_empty() && info.support == SupportKind::Real {
                self.unconstrained_implicit
                    .insert(name.clone(), (info.name, kind));
            }
        }
        if !kind.takes_bounds() {
            if let Some(key) = decl.bounds.first_key() {
                return Err(error(
                    key.span(),
                    format!(
                        "a `{}` parameter takes no `{key}` constraint; bounds apply to real, \
                         vector and matrix parameters",
                        kind.name()
                    ),
                ));
            }
        }
        let b = &decl.bounds;
        if (b.offset.is_some() || b.multiplier.is_some())
            && (b.lower.is_some() || b.upper.is_some())
        {
            let key = b.offset.as_ref().or(b.multiplier.as_ref()).map(|(k, _)| k);
            return Err(error(
                key.map_or(decl.name.span(), Ident::span),
                "`offset`/`multiplier` cannot be combined with `lower`/`upper`",
            ));
        }
        if decl.sizes.len() != kind.size_arity() {
            let expected = match kind.size_arity() {
                0 => "takes no size".to_string(),
                1 => format!("needs one size: `{}[N]`", kind.name()),
                _ => format!("needs two sizes: `{}[N, M]`", kind.name()),
            };
            return Err(error(
                kind_span,
                format!("a `{}` parameter {expected}", kind.name()),
            ));
        }
        for size in &decl.sizes {
            self.size_uses(size, &decl.name)?;
        }
        for bound in decl.bounds.exprs() {
            self.bound_uses(bound, &decl.name)?;
        }
        decl.kind = Some((kind, kind_span));
        self.declared.insert(name);
        Ok(())
    }
}

fn neither(root: &Ident, what: &str) -> syn::Error {
    error(
        root.span(),
        format!(
            "`{root}` is {what}, neither a data field nor a parameter; the left side of `~` \
             must be one (parameters are declared at the top level: `{root} ~ …;` or \
             `{root}: real ~ …;`)"
        ),
    )
}

fn unknown_family(name: &Ident) -> syn::Error {
    let text = name.to_string();
    for suffix in ["_lpdf", "_lupdf", "_lpmf", "_lupmf"] {
        if let Some(base) = text.strip_suffix(suffix) {
            if family(base).is_some() {
                return error(
                    name.span(),
                    format!(
                        "after `~` write the distribution's name, `{base}`; `{text}` is for \
                         `target += {text}(…);`"
                    ),
                );
            }
        }
    }
    let closest = FAMILIES
        .iter()
        .map(|f| (edit_distance(&text, f.name), f.name))
        .min()
        .filter(|(distance, _)| *distance <= 2);
    let hint = match closest {
        Some((_, suggestion)) => format!("; did you mean `{suggestion}`?"),
        None => "; see the list in docs/distributions.md".to_string(),
    };
    error(name.span(), format!("unknown distribution `{text}`{hint}"))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The kind of an implicitly declared parameter, from its sizes and its prior's support.
fn implicit_kind(decl: &ParamDecl, info: Option<&FamilyInfo>) -> Result<(ParamKind, Span)> {
    let span = decl.name.span();
    let Some(info) = info else {
        return Ok((ParamKind::Real, span));
    };
    let vector_like = |kind: ParamKind, what: &str| {
        if decl.sizes.is_empty() {
            Err(error(
                span,
                format!(
                    "`{}` is a distribution over {what}; give the size: `{}[K] ~ {}(…);`",
                    info.name, decl.name, info.name
                ),
            ))
        } else {
            Ok((kind, span))
        }
    };
    match info.support {
        SupportKind::RealVector => vector_like(ParamKind::Vector, "vectors"),
        SupportKind::Simplex => vector_like(ParamKind::Simplex, "simplexes"),
        SupportKind::CholeskyCorr => vector_like(
            ParamKind::CholeskyCorr,
            "Cholesky factors of correlation matrices",
        ),
        _ if decl.sizes.is_empty() => Ok((ParamKind::Real, span)),
        _ => Ok((ParamKind::Vector, span)),
    }
}

fn check_prior_fits(decl: &ParamDecl, kind: ParamKind, info: &FamilyInfo) -> Result<()> {
    let prior = decl
        .prior
        .as_ref()
        .map_or(decl.name.span(), |p| p.name.span());
    if info.support.is_discrete() {
        return Err(error(
            prior,
            format!(
                "`{}` is a distribution over integers, so `{}` cannot be a parameter; \
                 discrete variables must be data",
                info.name, decl.name
            ),
        ));
    }
    let needed = match info.support {
        SupportKind::Simplex => Some(ParamKind::Simplex),
        SupportKind::CholeskyCorr => Some(ParamKind::CholeskyCorr),
        _ => None,
    };
    if let Some(needed) = needed {
        if needed != kind {
            return Err(error(
                prior,
                format!(
                    "`{}` is a distribution over `{}` values, but `{}` is declared `{}`",
                    info.name,
                    needed.name(),
                    decl.name,
                    kind.name()
                ),
            ));
        }
    }
    Ok(())
}

/// The transform implied by the prior's support (Stan would need it written out).
fn default_bounds(decl: &ParamDecl, info: &FamilyInfo) -> Bounds {
    let span = decl
        .prior
        .as_ref()
        .map_or(decl.name.span(), |p| p.name.span());
    let key = |name: &str| Ident::new(name, span);
    let zero: Expr = syn::parse_quote_spanned!(span=> 0.0);
    let one: Expr = syn::parse_quote_spanned!(span=> 1.0);
    let arg = |i: usize| {
        decl.prior
            .as_ref()
            .and_then(|p| p.args.iter().nth(i).cloned())
    };
    let mut bounds = Bounds::default();
    match info.support {
        SupportKind::Positive => bounds.lower = Some((key("lower"), zero)),
        SupportKind::UnitInterval => {
            bounds.lower = Some((key("lower"), zero));
            bounds.upper = Some((key("upper"), one));
        }
        SupportKind::BetweenArgs { lower, upper } => {
            bounds.lower = arg(lower).map(|e| (key("lower"), e));
            bounds.upper = arg(upper).map(|e| (key("upper"), e));
        }
        _ => {}
    }
    bounds
}
