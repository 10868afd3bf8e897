//! Lazy affine density arguments: recognises `a.gather(g)? + b.gather(g)? * x` and `mu + tau * eta` in the arguments of `~` statements and generates `ppl::core::Affine` for them.
//!
//! Built eagerly, such a location vector holds one AD scalar per observation, each with a
//! tangent over the parameters it depends on. A `ppl::core::Affine` is not materialised: the
//! density reads its values in `f64` and hands back `∂lp/∂μ_i`, which it sums per group before
//! touching the tangents. A `let a = mu + tau * a_raw;` used only as the offset or scale of
//! such gathered arguments becomes a lazy `Affine` too. The rewrite is syntactic, so it only
//! fires when the macro can tell the types from the declarations: it must never turn code that
//! compiles into code that does not.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use crate::ast::{
    any_distribution, bindings, Binding, DataKind, DistCall, ModelInput, ParamKind, Stmt,
};
use crate::valid::free_idents;
use ppl_core::dist::SupportKind;

/// What the rewrite needs to know about the model's names.
pub(crate) struct AffineScope {
    /// Names whose every binding in the body depends on a parameter: parameters, and `let` or
    /// `derived` names whose initialiser mentions such a name. Their values have the model's
    /// scalar type `T` (`T`, `Vector<T>`, …), which is what `Affine`'s offset and scale need.
    /// (Should one be an `f64` vector after all, the rewrite still compiles when the eager
    /// code does: the generic body cannot add or multiply an owned `Vector<f64>` and a
    /// `Vector<T>`, so such code compiles only when both gathers are `f64`, and then so does
    /// an `f64` `Affine`.)
    dependent: Vec<Ident>,
    /// `real` parameters that no statement rebinds (`T`).
    scalars: Vec<Ident>,
    /// Vector parameters (`vector`, `simplex`, `ordered`, `positive_ordered`: `&Vector<T>`) and
    /// real-vector data (`&Vector<f64>`) that no statement rebinds.
    vectors: Vec<Ident>,
    /// `f64` data fields that no statement rebinds.
    data_scalars: Vec<Ident>,
    /// Top-level `let name = mu + tau * eta;` whose name is used only as the offset or scale
    /// of gathered `Affine` arguments: bound as a lazy `Affine` too (see [`lazy_let`]).
    lazy_lets: Vec<Ident>,
}

impl AffineScope {
    pub(crate) fn new(model: &ModelInput) -> Self {
        let mut bound = Vec::new();
        bindings(&model.body, &mut bound);
        let data: Vec<&Ident> = model.fields.iter().map(|field| &field.name).collect();
        let bound_once = |name: &Ident| bound.iter().filter(|(n, _)| n == name).count() == 1;
        let params_of = |kinds: &[ParamKind]| {
            bound
                .iter()
                .filter_map(|(name, binding)| match binding {
                    Binding::Param(decl)
                        if kinds.contains(&decl.kind.map_or(ParamKind::Real, |(k, _)| k)) =>
                    {
                        Some(name.clone())
                    }
                    _ => None,
                })
                .filter(|name| bound_once(name) && !data.contains(&name))
                .collect::<Vec<Ident>>()
        };
        let scalars = params_of(&[ParamKind::Real]);
        let mut vectors = params_of(&[
            ParamKind::Vector,
            ParamKind::Simplex,
            ParamKind::Ordered,
            ParamKind::PositiveOrdered,
        ]);
        vectors.extend(
            model
                .fields
                .iter()
                .filter(|field| field.kind == DataKind::RealVec)
                .filter(|field| !bound.iter().any(|(name, _)| *name == field.name))
                .map(|field| field.name.clone()),
        );
        let data_scalars = model
            .fields
            .iter()
            .filter(|field| field.kind == DataKind::Real)
            .filter(|field| !bound.iter().any(|(name, _)| *name == field.name))
            .map(|field| field.name.clone())
            .collect();
        let mut scope = AffineScope {
            dependent: parameter_dependent(&bound, &data),
            scalars,
            vectors,
            data_scalars,
            lazy_lets: Vec::new(),
        };
        let mut body_tokens = TokenStream::new();
        for stmt in &model.body {
            statement_tokens(stmt, &mut body_tokens);
        }
        let lazy_lets = model
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Let(local) => elementwise_let(&scope, local).map(|(name, _)| name),
                _ => None,
            })
            .filter(|name| bound_once(name) && !data.contains(name))
            .filter(|name| {
                // The binding itself, and nothing but gathered offsets and scales after it.
                let receivers = gathered_receivers(&scope, &model.body, name);
                receivers > 0 && occurrences(body_tokens.clone(), name) == 1 + receivers
            })
            .cloned()
            .collect();
        scope.lazy_lets = lazy_lets;
        scope
    }

    fn is_dependent(&self, expr: &Expr) -> bool {
        plain_ident(expr).is_some_and(|name| self.dependent.contains(name))
    }

    fn is_scalar(&self, expr: &Expr) -> bool {
        plain_ident(expr).is_some_and(|name| self.scalars.contains(name))
    }

    fn is_vector(&self, expr: &Expr) -> bool {
        plain_ident(expr).is_some_and(|name| self.vectors.contains(name))
    }

    /// Whether `expr * v` is known to be element-wise for a vector `v`: `expr` is a number, a
    /// `real` or vector parameter, or `f64` or `Vec<f64>` data. (A data matrix `X * v` is a
    /// matrix-vector product, which an `Affine` must not replace.)
    fn is_elementwise_factor(&self, expr: &Expr) -> bool {
        let number = |expr: &Expr| matches!(expr, Expr::Lit(_));
        match strip_parens(expr) {
            Expr::Unary(negation) if matches!(negation.op, syn::UnOp::Neg(_)) => {
                number(strip_parens(&negation.expr))
            }
            expr => {
                number(expr)
                    || self.is_scalar(expr)
                    || self.is_vector(expr)
                    || plain_ident(expr).is_some_and(|name| self.data_scalars.contains(name))
            }
        }
    }
}

/// The names whose every binding depends on a parameter (a fixed point: `let a = mu + z;`
/// then `let b = 2.0 * a;`). A data field's name never qualifies, even if a statement
/// rebinds it, since a statement before the rebinding sees the data.
fn parameter_dependent(bound: &[(Ident, Binding<'_>)], data: &[&Ident]) -> Vec<Ident> {
    let mut dependent: Vec<Ident> = Vec::new();
    loop {
        let depends = |binding: &Binding<'_>| match binding {
            Binding::Param(_) => true,
            Binding::Value(Some(expr)) => free_idents(expr)
                .iter()
                .any(|(used, _)| dependent.iter().any(|name| name == used)),
            Binding::Value(None) | Binding::Other => false,
        };
        let added: Vec<Ident> = bound
            .iter()
            .map(|(name, _)| name)
            .filter(|name| !data.contains(name) && !dependent.contains(name))
            .filter(|name| {
                bound
                    .iter()
                    .filter(|(other, _)| other == *name)
                    .all(|(_, binding)| depends(binding))
            })
            .cloned()
            .collect();
        if added.is_empty() {
            return dependent;
        }
        for name in added {
            if !dependent.contains(&name) {
                dependent.push(name);
            }
        }
    }
}

/// A `~` argument recognised as an affine map.
#[derive(Debug, PartialEq)]
enum AffineShape<'a> {
    /// `offset.gather(index)? + scale.gather(index)? * x`, `offset.gather(index)? + scale * x`
    /// with a `real` parameter `scale`, or `offset.gather(index)?` alone (no `scale * x`:
    /// varying intercepts only).
    Gathered {
        offset: &'a Expr,
        slope: Option<(&'a Expr, &'a Expr)>,
        index: &'a Expr,
    },
    /// `offset + scale * x`, two `real` parameters and a vector.
    Elementwise {
        offset: &'a Expr,
        scale: &'a Expr,
        x: &'a Expr,
    },
}

fn strip_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => strip_parens(&paren.expr),
        other => other,
    }
}

/// `name` (possibly parenthesised) as an identifier.
fn plain_ident(expr: &Expr) -> Option<&Ident> {
    match strip_parens(expr) {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => path.path.get_ident(),
        _ => None,
    }
}

/// The operands of `left op right` (parentheses stripped) for `op` chosen by `is_op`.
fn binary(expr: &Expr, is_op: fn(&syn::BinOp) -> bool) -> Option<(&Expr, &Expr)> {
    match strip_parens(expr) {
        Expr::Binary(binary) if is_op(&binary.op) => Some((&binary.left, &binary.right)),
        _ => None,
    }
}

/// `P.gather(I)?` with `P` a parameter-dependent name: `(P, I)`.
fn gathered<'a>(scope: &AffineScope, expr: &'a Expr) -> Option<(&'a Expr, &'a Expr)> {
    let Expr::Try(attempt) = strip_parens(expr) else {
        return None;
    };
    let Expr::MethodCall(call) = strip_parens(&attempt.expr) else {
        return None;
    };
    if call.method != "gather" || call.turbofish.is_some() || call.args.len() != 1 {
        return None;
    }
    scope
        .is_dependent(&call.receiver)
        .then(|| (&*call.receiver, &call.args[0]))
}

/// The affine shape of `arg`, if it has one whose parts' types the macro knows: the sum's
/// terms and the product's factors in either order, parentheses anywhere.
fn affine_shape<'a>(scope: &AffineScope, arg: &'a Expr) -> Option<AffineShape<'a>> {
    if let Some((offset, index)) = gathered(scope, arg) {
        return Some(AffineShape::Gathered {
            offset,
            slope: None,
            index,
        });
    }
    let (left, right) = binary(arg, |op| matches!(op, syn::BinOp::Add(_)))?;
    for (offset, product) in [(left, right), (right, left)] {
        let Some((first, second)) = binary(product, |op| matches!(op, syn::BinOp::Mul(_))) else {
            continue;
        };
        for (scale, x, x_on_the_left) in [(first, second, false), (second, first, true)] {
            // `b.gather(g)? * x` is element-wise whatever `x` is; `x * b.gather(g)?` only
            // when `x` is known not to be a data matrix.
            let elementwise = !x_on_the_left || scope.is_elementwise_factor(x);
            if let (true, Some((offset, index)), Some((scale, scale_index))) =
                (elementwise, gathered(scope, offset), gathered(scope, scale))
            {
                // The same index expression, token for token, in both gathers.
                if quote!(#index).to_string() == quote!(#scale_index).to_string() {
                    return Some(AffineShape::Gathered {
                        offset,
                        slope: Some((scale, x)),
                        index,
                    });
                }
            }
            // `a.gather(g)? + beta * x`: varying intercepts with a common slope, a `real`
            // parameter (the scale is then a scalar `Affine` part, shared by every group).
            if let Some((offset, index)) = gathered(scope, offset) {
                if scope.is_scalar(scale) && scope.is_elementwise_factor(x) {
                    return Some(AffineShape::Gathered {
                        offset,
                        slope: Some((scale, x)),
                        index,
                    });
                }
            }
            if scope.is_scalar(offset) && scope.is_scalar(scale) && scope.is_vector(x) {
                return Some(AffineShape::Elementwise { offset, scale, x });
            }
        }
    }
    None
}

/// Whether argument `position` of `family` is an `impl Operand` of its `_lupdf`/`_lupmf`,
/// which an `Affine` can be: an argument of a univariate family
/// ([`SupportKind::is_univariate`]) or categorical's probabilities or log-odds (a vector, but
/// an `impl Operand` too). Not for a family outside the registry (a user's density), the
/// multivariate ones (vector and matrix arguments), a GLM's design matrix `x` or binomial
/// `trials` (integers).
fn takes_operand(family: &str, position: usize) -> bool {
    let Some(info) = ppl_core::dist::family(family) else {
        return false;
    };
    (info.support.is_univariate() || info.support == SupportKind::Category)
        && info
            .args
            .get(position)
            .is_some_and(|name| !matches!(*name, "x" | "trials"))
}

/// The `Affine` argument for argument `position` of `dist`, or `None` when the argument is
/// not affine or its family does not take it (then it is passed as written).
pub(crate) fn affine_argument(
    scope: &AffineScope,
    dist: &DistCall,
    position: usize,
    arg: &Expr,
) -> Option<TokenStream> {
    if !takes_operand(&dist.name.to_string(), position) {
        return None;
    }
    let affine = quote!(::ppl::core::Affine);
    Some(match affine_shape(scope, arg)? {
        AffineShape::Gathered {
            offset,
            slope,
            index,
        } => {
            let (scale, x) = match slope {
                Some((scale, x)) => (operand(scale), operand(x)),
                // Varying intercepts only: a constant zero slope, which carries no tangent.
                None => (
                    quote_spanned!(arg.span()=> <T as ::ppl::core::Real>::constant(0.0)),
                    quote!(0.0),
                ),
            };
            let offset = operand(offset);
            // `index` is passed as written, so that it coerces to `&[usize]` exactly as
            // `gather`'s argument does.
            quote_spanned! {arg.span()=>
                &#affine::gathered_from(#offset, #scale, #index, #x)?
            }
        }
        AffineShape::Elementwise { offset, scale, x } => {
            let (offset, scale, x) = (operand(offset), operand(scale), operand(x));
            quote_spanned!(arg.span()=> &#affine::new(#offset, #scale, #x)?)
        }
    })
}

/// `let name = mu + tau * eta;` with a plain name (no `mut`, no type) and an initialiser of
/// the element-wise shape: the name and the shape.
fn elementwise_let<'a>(
    scope: &AffineScope,
    local: &'a syn::Local,
) -> Option<(&'a Ident, AffineShape<'a>)> {
    let syn::Pat::Ident(pattern) = &local.pat else {
        return None;
    };
    if pattern.by_ref.is_some() || pattern.mutability.is_some() || pattern.subpat.is_some() {
        return None;
    }
    let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
    match affine_shape(scope, &init.expr)? {
        shape @ AffineShape::Elementwise { .. } => Some((&pattern.ident, shape)),
        AffineShape::Gathered { .. } => None,
    }
}

/// A top-level `let a = mu + tau * a_raw;` whose `a` is only ever the offset or scale of
/// gathered `Affine` arguments (`a.gather(g)? + b.gather(g)? * x`), bound as
/// `Affine::new(mu, tau, a_raw)?` instead of a vector: those arguments then read `a`'s values
/// and hand its partials back in `f64` too (an `Affine` is itself an operand). `None` for any
/// other `let` (it is generated as written).
pub(crate) fn lazy_let(scope: &AffineScope, local: &syn::Local) -> Option<TokenStream> {
    let (name, shape) = elementwise_let(scope, local)?;
    if !scope.lazy_lets.contains(name) {
        return None;
    }
    let AffineShape::Elementwise { offset, scale, x } = shape else {
        return None;
    };
    let init = &local.init.as_ref()?.expr;
    let (offset, scale, x) = (operand(offset), operand(scale), operand(x));
    Some(quote_spanned! {init.span()=>
        let #name = ::ppl::core::Affine::new(#offset, #scale, #x)?;
    })
}

/// `(part).__ppl_operand()`, spanned on the part so that a type error points at it.
fn operand(part: &Expr) -> TokenStream {
    quote_spanned!(part.span()=> (#part).__ppl_operand())
}

/// How many times `name` is the offset or scale of a gathered `Affine` argument in `body`.
fn gathered_receivers(scope: &AffineScope, body: &[Stmt], name: &Ident) -> usize {
    let count = std::cell::Cell::new(0);
    any_distribution(body, &|dist| {
        for (position, arg) in dist.args.iter().enumerate() {
            if !takes_operand(&dist.name.to_string(), position) {
                continue;
            }
            if let Some(AffineShape::Gathered { offset, slope, .. }) = affine_shape(scope, arg) {
                let uses = std::iter::once(offset)
                    .chain(slope.map(|(scale, _)| scale))
                    .filter(|part| plain_ident(part) == Some(name))
                    .count();
                count.set(count.get() + uses);
            }
        }
        false
    });
    count.get()
}

/// The user's tokens of a statement (expressions, patterns, sizes, bounds, priors), so that a
/// name's every use, even inside a macro call, can be counted.
fn statement_tokens(stmt: &Stmt, out: &mut TokenStream) {
    let dist_tokens = |dist: &DistCall, out: &mut TokenStream| {
        let args = &dist.args;
        out.extend(quote!(#args));
    };
    match stmt {
        Stmt::Param(decl) => {
            let name = &decl.name;
            out.extend(quote!(#name));
            for expr in decl.sizes.iter().chain(decl.bounds.exprs()) {
                out.extend(quote!(#expr));
            }
            if let Some(prior) = &decl.prior {
                dist_tokens(prior, out);
            }
        }
        Stmt::Sample { lhs, dist, .. } => {
            out.extend(quote!(#lhs));
            dist_tokens(dist, out);
        }
        Stmt::Target { expr, .. } | Stmt::Expr(expr) => out.extend(quote!(#expr)),
        Stmt::Let(local) => out.extend(quote!(#local)),
        Stmt::Derived { name, expr } | Stmt::TransformedData { name, expr, .. } => {
            out.extend(quote!(#name #expr));
        }
        Stmt::For {
            pat, iter, body, ..
        } => {
            out.extend(quote!(#pat #iter));
            body.iter().for_each(|stmt| statement_tokens(stmt, out));
        }
        Stmt::While { cond, body, .. } => {
            out.extend(quote!(#cond));
            body.iter().for_each(|stmt| statement_tokens(stmt, out));
        }
        Stmt::If {
            cond,
            then,
            otherwise,
            ..
        } => {
            out.extend(quote!(#cond));
            then.iter()
                .chain(otherwise.iter().flatten())
                .for_each(|stmt| statement_tokens(stmt, out));
        }
        Stmt::Block(body) => body.iter().for_each(|stmt| statement_tokens(stmt, out)),
    }
}

/// How many identifier tokens of `tokens`, at any depth, are `name`.
fn occurrences(tokens: TokenStream, name: &Ident) -> usize {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) => usize::from(ident == *name),
            TokenTree::Group(group) => occurrences(group.stream(), name),
            TokenTree::Punct(_) | TokenTree::Literal(_) => 0,
        })
        .sum()
}

/// Whether any `~` statement or prior, at any depth, gets a gathered `Affine` argument
/// (`a.gather(g)? + b.gather(g)? * x`): the model then prefers sparse gradients, as a GLM does.
/// The density's `O(N)` pass is in `f64` and its tangent work is `O(G)`, so one sparse pass
/// beats `ceil(d / 8)` dense passes over the observations even at small `d` (varying slopes,
/// `N = 1000`: d = 9, 15, 23 sparse in 0.56, 0.56–0.61, 0.39–0.42 of the dense time; `N = 100`,
/// d = 15: 0.77–0.85; only tiny data sets, `N ≤ 50`, are 3–25% slower, by under 0.5 µs). `mu + tau * eta` gives no hint: its vector `eta` takes one
/// tangent update per element, and dense lanes stay faster up to `d ≈ 16` (sparse/dense 2.08
/// at d = 6, 1.46 at d = 10, 1.09 at d = 16, 0.83 at d = 22), which the dimension rule of
/// `GradientMode::Auto` already covers.
pub(crate) fn prefers_sparse(scope: &AffineScope, body: &[Stmt]) -> bool {
    any_distribution(body, &|dist| {
        dist.args.iter().enumerate().any(|(position, arg)| {
            takes_operand(&dist.name.to_string(), position)
                && matches!(affine_shape(scope, arg), Some(AffineShape::Gathered { .. }))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model with the usual hierarchical names: `mu`, `tau` real, `eta` vector, `a_raw`
    /// vector parameters; `a`, `b` lets of parameters; `x` real-vector data; `offsets` a let
    /// of data only; `group` index data.
    fn scope() -> AffineScope {
        let model: ModelInput = syn::parse_quote! {
            struct M {
                N: usize,
                #[data(size = N)]
                x: Vec<f64>,
                group: Vec<usize>,
                X: Matrix<f64>,
                scale: f64,
            }
            mu: real;
            tau: real<lower = 0.0>;
            eta: vector[N];
            a_raw: vector[N];
            let a = mu + tau * a_raw;
            let b = 2.0 * a;
            let offsets = x * 2.0;
            derived c = a.exp();
        };
        AffineScope::new(&model)
    }

    fn shape_of(text: &str) -> Option<String> {
        let scope = scope();
        let expr: Expr = syn::parse_str(text).unwrap();
        let shape = affine_shape(&scope, &expr)?;
        let show = |e: &Expr| quote!(#e).to_string();
        Some(match shape {
            AffineShape::Gathered {
                offset,
                slope: Some((scale, x)),
                index,
            } => format!(
                "gathered({}, {}, {}, {})",
                show(offset),
                show(scale),
                show(index),
                show(x)
            ),
            AffineShape::Gathered {
                offset,
                slope: None,
                index,
            } => format!("gathered({}, {})", show(offset), show(index)),
            AffineShape::Elementwise { offset, scale, x } => {
                format!("new({}, {}, {})", show(offset), show(scale), show(x))
            }
        })
    }

    #[test]
    fn parameter_dependence_follows_lets() {
        let scope = scope();
        let names: Vec<String> = scope.dependent.iter().map(Ident::to_string).collect();
        assert_eq!(names, ["mu", "tau", "eta", "a_raw", "a", "b", "c"]);
        let names = |list: &[Ident]| list.iter().map(Ident::to_string).collect::<Vec<_>>();
        assert_eq!(names(&scope.scalars), ["mu", "tau"]);
        assert_eq!(names(&scope.vectors), ["eta", "a_raw", "x"]);
    }

    #[test]
    fn gathered_shapes_in_every_order() {
        let expected = "gathered(a, b, group, x)";
        for text in [
            "a.gather(group)? + b.gather(group)? * x",
            "a.gather(group)? + x * b.gather(group)?",
            "b.gather(group)? * x + a.gather(group)?",
            "(x * (b.gather(group)?)) + (a.gather(group)?)",
            "((a).gather(group)? + b.gather(group)? * (x))",
        ] {
            let found = shape_of(text).map(|s| s.replace("(a)", "a").replace("(x)", "x"));
            assert_eq!(found.as_deref(), Some(expected), "{text}");
        }
        assert_eq!(
            shape_of("c.gather(&group[..]) ? + a.gather(&group[..])? * 0.5").as_deref(),
            Some("gathered(c, a, & group [..], 0.5)")
        );
        // Anything on the right of the gathered factor; numbers, parameters, `f64` data on
        // its left.
        assert_eq!(
            shape_of("a.gather(group)? + b.gather(group)? * (0.5 * x)").as_deref(),
            Some("gathered(a, b, group, (0.5 * x))")
        );
        for (factor, shown) in [
            ("(-2.5)", "(- 2.5)"),
            ("tau", "tau"),
            ("eta", "eta"),
            ("scale", "scale"),
        ] {
            let text = format!("a.gather(group)? + {factor} * b.gather(group)?");
            assert_eq!(
                shape_of(&text),
                Some(format!("gathered(a, b, group, {shown})")),
                "{text}"
            );
        }
    }

    #[test]
    fn common_slopes_are_gathered_with_a_scalar_scale() {
        for text in [
            "a.gather(group)? + tau * x",
            "a.gather(group)? + x * tau",
            "(tau * x) + a.gather(group)?",
        ] {
            assert_eq!(
                shape_of(text).as_deref(),
                Some("gathered(a, tau, group, x)"),
                "{text}"
            );
        }
        assert_eq!(
            shape_of("a.gather(group)? + tau * 2.0").as_deref(),
            Some("gathered(a, tau, group, 2.0)")
        );
        for text in [
            // the slope must be a `real` parameter, the factor known to be element-wise
            "a.gather(group)? + scale * x",
            "a.gather(group)? + tau * X",
            "a.gather(group)? + X * tau",
            "a.gather(group)? + tau * offsets",
            "offsets.gather(group)? + tau * x",
        ] {
            assert_eq!(shape_of(text), None, "{text}");
        }
    }

    #[test]
    fn varying_intercepts_alone_are_gathered() {
        assert_eq!(
            shape_of("a.gather(group)?").as_deref(),
            Some("gathered(a, group)")
        );
        assert_eq!(
            shape_of("(a.gather(&group[..])?)").as_deref(),
            Some("gathered(a, & group [..])")
        );
        assert_eq!(shape_of("offsets.gather(group)?"), None);
    }

    #[test]
    fn elementwise_shapes_in_every_order() {
        for text in ["mu + tau * eta", "eta * tau + mu", "(mu + (tau * eta))"] {
            assert_eq!(
                shape_of(text).as_deref(),
                Some("new(mu, tau, eta)"),
                "{text}"
            );
        }
        assert_eq!(shape_of("mu + tau * x").as_deref(), Some("new(mu, tau, x)"));
    }

    #[test]
    fn other_shapes_are_left_alone() {
        for text in [
            // different indices, data offsets, an index without `?`
            "a.gather(group)? + b.gather(other)? * x",
            "offsets.gather(group)? + b.gather(group)? * x",
            "x.gather(group)? + b.gather(group)? * x",
            "a.gather(group) + b.gather(group) * x",
            // not a sum of a term and a product
            "a.gather(group)? - b.gather(group)? * x",
            "a.gather(group)? + b.gather(group)? * x + mu",
            "a.gather(group)? * x",
            "x.gather(group)?",
            // `x * b.gather(g)?` only for an `x` known not to be a matrix
            "a.gather(group)? + X * b.gather(group)?",
            "a.gather(group)? + (0.5 * x) * b.gather(group)?",
            "a.gather(group)? + offsets * b.gather(group)?",
            // `mu + tau * eta` needs two `real` parameters and a vector
            "mu + a * eta",
            "mu + tau * a",
            "mu + tau * X",
            "mu + 2.0 * eta",
            "mu + tau * mu",
        ] {
            assert_eq!(shape_of(text), None, "{text}");
        }
    }

    #[test]
    fn rebound_names_are_left_alone() {
        let model: ModelInput = syn::parse_quote! {
            struct M { N: usize, x: Vec<f64>, group: Vec<usize> }
            mu: real;
            tau: real;
            eta: vector[N];
            let a = eta * 2.0;
            let b = eta * 3.0;
            y ~ normal(mu + tau * x, 1.0);
            let a = x * 1.0;
            let tau = 2.0;
            let x = x;
        };
        let scope = AffineScope::new(&model);
        for text in [
            "mu + tau * eta",
            "mu + mu * x",
            "a.gather(group)? + b.gather(group)? * x",
        ] {
            let expr: Expr = syn::parse_str(text).unwrap();
            assert_eq!(affine_shape(&scope, &expr), None, "{text}");
        }
    }

    /// The names of `model`'s lazy lets.
    fn lazy_lets(model: ModelInput) -> Vec<String> {
        let scope = AffineScope::new(&model);
        scope.lazy_lets.iter().map(Ident::to_string).collect()
    }

    #[test]
    fn lets_used_only_as_gathered_parts_are_lazy() {
        let model: ModelInput = syn::parse_quote! {
            struct M { N: usize, G: usize, x: Vec<f64>, group: Vec<usize>, y: Vec<f64> }
            mu: real;
            tau: real;
            a_raw: vector[G];
            b_raw: vector[G];
            let a = mu + tau * a_raw;
            let b = (b_raw * tau) + mu;
            y ~ normal(a.gather(group)? + b.gather(group)? * x, 1.0);
            y ~ student_t(3.0, x * (b).gather(group)? + a.gather(group)?, 1.0);
        };
        assert_eq!(lazy_lets(model), ["a", "b"]);
        // Any other use of the name keeps the vector: a derived quantity, a macro argument, an
        // argument that is not rewritten, `x` of a gathered argument. (A second binding of `a`
        // also makes the `~` argument plain, so that `b` stays a vector too.)
        for (other_use, lazy) in [
            (quote!(derived total = a.sum();), &["b"][..]),
            (quote!(println!("{:?}", a);), &["b"]),
            (quote!(y ~ normal(a.gather(group)? * 2.0, 1.0);), &["b"]),
            // A gathered intercept alone is rewritten too, so `a` stays lazy.
            (quote!(y ~ normal(a.gather(group)?, 1.0);), &["a", "b"]),
            (
                quote!(y ~ normal(b.gather(group)? + b.gather(group)? * a, 1.0);),
                &["b"],
            ),
            (quote!(let a = 1.0;), &[]),
        ] {
            let model: ModelInput = syn::parse_quote! {
                struct M { N: usize, G: usize, x: Vec<f64>, group: Vec<usize>, y: Vec<f64> }
                mu: real;
                tau: real;
                a_raw: vector[G];
                b_raw: vector[G];
                let a = mu + tau * a_raw;
                let b = mu + tau * b_raw;
                y ~ normal(a.gather(group)? + b.gather(group)? * x, 1.0);
                #other_use
            };
            assert_eq!(lazy_lets(model), lazy, "{other_use}");
        }
        // Only the element-wise shape, with plain names, and only when something gathers it.
        let model: ModelInput = syn::parse_quote! {
            struct M { N: usize, G: usize, x: Vec<f64>, group: Vec<usize>, y: Vec<f64> }
            mu: real;
            tau: real;
            a_raw: vector[G];
            let a = mu + tau * a_raw;
            let mut b = mu + tau * a_raw;
            let c: Vector<T> = mu + tau * a_raw;
            let d = mu + tau * a_raw;
            y ~ normal(b.gather(group)? + c.gather(group)? * x, 1.0);
        };
        assert!(lazy_lets(model).is_empty());
    }

    #[test]
    fn only_operand_arguments_are_rewritten() {
        assert!(takes_operand("normal", 0));
        assert!(takes_operand("student_t", 2));
        assert!(takes_operand("poisson_log", 0));
        assert!(takes_operand("binomial_logit", 1));
        assert!(!takes_operand("binomial_logit", 0));
        assert!(!takes_operand("normal", 2));
        assert!(!takes_operand("normal_id_glm", 0));
        assert!(takes_operand("normal_id_glm", 1));
        assert!(takes_operand("categorical_logit", 0));
        assert!(takes_operand("categorical", 0));
        assert!(!takes_operand("multi_normal", 0));
        assert!(!takes_operand("multi_normal_cholesky", 1));
        assert!(!takes_operand("dirichlet", 0));
        assert!(!takes_operand("multinomial", 0));
        assert!(!takes_operand("lkj_corr_cholesky", 0));
        assert!(!takes_operand("my_density", 0));
    }
}
