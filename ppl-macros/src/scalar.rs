//! Rewrites of Stan habits that Rust's types reject, done before code generation: the scalar named on density calls in arithmetic (`lp[s] += poisson_lpmf(D[t], rate)?`), integer literals in `~` arguments, two-argument `log_sum_exp`, `normal_lpdf(y | mu, sigma)`.
//!
//! Each rewrite changes only code that would not compile, so no model that compiles changes
//! meaning:
//!
//! * The densities of `ppl::core::dist` are generic over their result's scalar. As an operand
//!   of `+`, `-`, `*`, `/`, their compound assignments or a unary `-`, Rust cannot infer it
//!   (`T` implements `Add<T>` and `Add<f64>`); Stan users write it all the time
//!   (`lp[s] += poisson_lpmf(D[t] | rate)`,
//!   `bernoulli_lpmf(0 | theta) + poisson_lpmf(y | lambda)`). Bare calls of the registry's
//!   densities without generic arguments get `::<T>` there, `::<f64>` in transformed data and
//!   in a `let` annotated `f64`; `let` statements with another annotation and closures are
//!   left alone.
//! * An integer literal argument of a `~` statement (`mu ~ normal(0, 1)`) becomes a float
//!   literal, except a `trials` argument (integer data, `binomial(10, p)`): Stan promotes
//!   `int` to `real`, Rust has no `Operand` for `i64`.
//! * Stan's two-argument `log_sum_exp(a, b)` becomes `log_sum_exp2(a, b)` (Rust's
//!   `log_sum_exp` takes one slice); in `target += log_sum_exp(f(…)?, g(…)?)` with two
//!   densities, both get `::<T>`.
//! * Stan's conditional bar, `normal_lpdf(y | mu, sigma)`, becomes `normal_lpdf(y, mu, sigma)`.

use crate::ast::{DistCall, Stmt};
use ppl_core::dist::{family, FamilyInfo, FAMILIES};
use syn::{BinOp, Block, Expr, ExprCall, ExprLit, Lit, LitFloat, Pat, Type, UnOp};

/// Applies the rewrites to every statement of the model body.
pub(crate) fn annotate(body: &mut [Stmt]) {
    for stmt in body {
        annotate_stmt(stmt);
    }
}

/// The scalar named on a density call: the model's `T`, or `f64` (transformed data, a `let`
/// annotated `f64`).
#[derive(Clone, Copy)]
enum Scalar {
    Model,
    F64,
}

/// The scalar of a `let` pattern: its annotation's if it is `T` or `f64`, the model's if there
/// is none; `None` (leave the initialiser alone) for any other annotation.
fn let_scalar(pat: &Pat) -> Option<Scalar> {
    let Pat::Type(typed) = pat else {
        return Some(Scalar::Model);
    };
    let Type::Path(path) = &*typed.ty else {
        return None;
    };
    if path.path.is_ident("T") {
        Some(Scalar::Model)
    } else if path.path.is_ident("f64") {
        Some(Scalar::F64)
    } else {
        None
    }
}

fn annotate_stmt(stmt: &mut Stmt) {
    let scalar = Scalar::Model;
    match stmt {
        Stmt::Sample { lhs, dist, .. } => {
            expr(lhs, false, scalar);
            dist_args(dist);
        }
        Stmt::Target { expr: value, .. } => {
            expr(value, false, scalar);
            added_log_sum_exp(value);
        }
        Stmt::Derived { expr: value, .. } => expr(value, false, scalar),
        Stmt::Let(local) => {
            if let Some(scalar) = let_scalar(&local.pat) {
                if let Some(init) = &mut local.init {
                    expr(&mut init.expr, false, scalar);
                    if let Some((_, diverge)) = &mut init.diverge {
                        expr(diverge, false, scalar);
                    }
                }
            }
        }
        Stmt::For { iter, body, .. } => {
            expr(iter, false, scalar);
            annotate(body);
        }
        Stmt::While { cond, body, .. } => {
            expr(cond, false, scalar);
            annotate(body);
        }
        Stmt::If {
            cond,
            then,
            otherwise,
            ..
        } => {
            expr(cond, false, scalar);
            annotate(then);
            if let Some(otherwise) = otherwise {
                annotate(otherwise);
            }
        }
        Stmt::Block(body) => annotate(body),
        Stmt::Expr(value) => expr(value, false, scalar),
        Stmt::Param(decl) => {
            if let Some(prior) = &mut decl.prior {
                dist_args(prior);
            }
        }
        // Computed by the constructor, in `f64`.
        Stmt::TransformedData { expr: value, .. } => expr(value, false, Scalar::F64),
    }
}

fn dist_args(dist: &mut DistCall) {
    let arg_names = family(&dist.name.to_string()).map_or(&[][..], |info| info.args);
    for (position, arg) in dist.args.iter_mut().enumerate() {
        if arg_names
            .get(position)
            .is_some_and(|name| *name != "trials")
        {
            float_literal(arg);
        }
        expr(arg, false, Scalar::Model);
    }
}

/// An unsuffixed integer literal, possibly negated or in parentheses, becomes the float literal
/// of the same value (`0` → `0.0`, `-2` → `-2.0`).
fn float_literal(arg: &mut Expr) {
    match arg {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if int.suffix().is_empty() => {
            let float = LitFloat::new(&format!("{}.0", int.base10_digits()), int.span());
            *arg = Expr::Lit(ExprLit {
                attrs: Vec::new(),
                lit: Lit::Float(float),
            });
        }
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => float_literal(&mut unary.expr),
        Expr::Paren(paren) => float_literal(&mut paren.expr),
        _ => {}
    }
}

/// Whether `op` is arithmetic (`+ - * /` and their assignments), whose operands' types Rust
/// cannot infer from the result.
fn is_arithmetic(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::Add(_)
            | BinOp::Sub(_)
            | BinOp::Mul(_)
            | BinOp::Div(_)
            | BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
    )
}

/// Walks `value`; `operand` says whether it is an arithmetic operand (through parentheses and
/// `?`).
fn expr(value: &mut Expr, operand: bool, scalar: Scalar) {
    match value {
        Expr::Binary(binary) => {
            let arithmetic = is_arithmetic(&binary.op);
            expr(&mut binary.left, arithmetic, scalar);
            expr(&mut binary.right, arithmetic, scalar);
        }
        Expr::Unary(unary) => {
            let negation = matches!(unary.op, UnOp::Neg(_));
            expr(&mut unary.expr, negation, scalar);
        }
        Expr::Paren(paren) => expr(&mut paren.expr, operand, scalar),
        Expr::Try(try_expr) => expr(&mut try_expr.expr, operand, scalar),
        Expr::Call(call) => {
            conditional_bar(call);
            two_argument_log_sum_exp(call);
            if operand {
                name_scalar(call, scalar);
            }
            expr(&mut call.func, false, scalar);
            for arg in &mut call.args {
                expr(arg, false, scalar);
            }
        }
        Expr::MethodCall(call) => {
            expr(&mut call.receiver, false, scalar);
            for arg in &mut call.args {
                expr(arg, false, scalar);
            }
        }
        Expr::Index(index) => {
            expr(&mut index.expr, false, scalar);
            expr(&mut index.index, false, scalar);
        }
        Expr::Reference(reference) => expr(&mut reference.expr, false, scalar),
        Expr::Array(array) => array
            .elems
            .iter_mut()
            .for_each(|elem| expr(elem, false, scalar)),
        Expr::Tuple(tuple) => tuple
            .elems
            .iter_mut()
            .for_each(|elem| expr(elem, false, scalar)),
        Expr::Assign(assign) => {
            expr(&mut assign.left, false, scalar);
            expr(&mut assign.right, false, scalar);
        }
        Expr::If(if_expr) => {
            expr(&mut if_expr.cond, false, scalar);
            block(&mut if_expr.then_branch, scalar);
            if let Some((_, otherwise)) = &mut if_expr.else_branch {
                expr(otherwise, false, scalar);
            }
        }
        Expr::Block(block_expr) => block(&mut block_expr.block, scalar),
        Expr::Unsafe(unsafe_expr) => block(&mut unsafe_expr.block, scalar),
        Expr::ForLoop(for_loop) => {
            expr(&mut for_loop.expr, false, scalar);
            block(&mut for_loop.body, scalar);
        }
        Expr::While(while_loop) => {
            expr(&mut while_loop.cond, false, scalar);
            block(&mut while_loop.body, scalar);
        }
        Expr::Loop(loop_expr) => block(&mut loop_expr.body, scalar),
        Expr::Match(match_expr) => {
            expr(&mut match_expr.expr, false, scalar);
            for arm in &mut match_expr.arms {
                expr(&mut arm.body, false, scalar);
            }
        }
        Expr::Let(let_expr) => expr(&mut let_expr.expr, false, scalar),
        _ => {}
    }
}

fn block(body: &mut Block, scalar: Scalar) {
    for stmt in &mut body.stmts {
        match stmt {
            syn::Stmt::Local(local) => {
                let scalar = match let_scalar(&local.pat) {
                    Some(Scalar::Model) => Some(scalar),
                    other => other,
                };
                if let (Some(scalar), Some(init)) = (scalar, &mut local.init) {
                    expr(&mut init.expr, false, scalar);
                }
            }
            syn::Stmt::Expr(value, _) => expr(value, false, scalar),
            _ => {}
        }
    }
}

/// `target += log_sum_exp(a, b)` with both `a` and `b` bare density calls (`?` allowed): their
/// scalar can only be the model's (`target` takes `T` or `f64`, so Rust cannot choose), so both
/// get `::<T>`.
fn added_log_sum_exp(value: &mut Expr) {
    let Expr::Call(call) = value else {
        return;
    };
    let arguments = call.args.len();
    let is_log_sum_exp = bare_name(call).is_some_and(|segment| {
        arguments == 2 && (segment.ident == "log_sum_exp" || segment.ident == "log_sum_exp2")
    });
    if !is_log_sum_exp {
        return;
    }
    let mut densities: Vec<&mut ExprCall> = call.args.iter_mut().filter_map(density_call).collect();
    if densities.len() == 2 {
        densities
            .iter_mut()
            .for_each(|density| name_scalar(density, Scalar::Model));
    }
}

/// The call in `f(…)`, `f(…)?` or `(f(…))` if `f` is a bare name of a registry density.
fn density_call(value: &mut Expr) -> Option<&mut ExprCall> {
    match value {
        Expr::Try(try_expr) => density_call(&mut try_expr.expr),
        Expr::Paren(paren) => density_call(&mut paren.expr),
        Expr::Call(call) => {
            let name = bare_name(call)?.ident.to_string();
            is_density(&name).then_some(call)
        }
        _ => None,
    }
}

/// The registry family whose log-density function (`normal_lpdf`, `poisson_lupmf`, …) is
/// `name`.
fn density_family(name: &str) -> Option<&'static FamilyInfo> {
    FAMILIES
        .iter()
        .find(|family| family.log_density == name || family.log_density_propto == name)
}

fn is_density(name: &str) -> bool {
    density_family(name).is_some()
}

/// Stan's `normal_lpdf(y | mu, sigma)`: a density call whose first argument is `a | b` at the
/// top level and that has one argument too few becomes `normal_lpdf(a, b, sigma)`. With one
/// argument too few the call cannot compile as written.
fn conditional_bar(call: &mut ExprCall) {
    let Some(segment) = bare_name(call) else {
        return;
    };
    let Some(info) = density_family(&segment.ident.to_string()) else {
        return;
    };
    if call.args.len() != info.args.len() {
        return;
    }
    let Some(Expr::Binary(first)) = call.args.first() else {
        return;
    };
    if !matches!(first.op, BinOp::BitOr(_)) {
        return;
    }
    let first = first.clone();
    let rest: Vec<Expr> = call.args.iter().skip(1).cloned().collect();
    call.args.clear();
    call.args.push(*first.left);
    call.args.push(*first.right);
    call.args.extend(rest);
}

/// The bare name of a call (`f` in `f(…)`), if it is one.
fn bare_name(call: &mut ExprCall) -> Option<&mut syn::PathSegment> {
    let Expr::Path(path) = &mut *call.func else {
        return None;
    };
    if path.qself.is_some() || path.path.leading_colon.is_some() || path.path.segments.len() != 1 {
        return None;
    }
    let segment = &mut path.path.segments[0];
    segment.arguments.is_none().then_some(segment)
}

/// Stan's `log_sum_exp(a, b)` of two scalars is `log_sum_exp2(a, b)`.
fn two_argument_log_sum_exp(call: &mut ExprCall) {
    let arguments = call.args.len();
    if let Some(segment) = bare_name(call) {
        if arguments == 2 && segment.ident == "log_sum_exp" {
            segment.ident = syn::Ident::new("log_sum_exp2", segment.ident.span());
        }
    }
}

/// `f(…)` with `f` a bare name of a registry density (`normal_lpdf`, `poisson_lupmf`, …)
/// becomes `f::<T>(…)` (or `f::<f64>(…)`).
fn name_scalar(call: &mut ExprCall, scalar: Scalar) {
    let Some(segment) = bare_name(call) else {
        return;
    };
    if is_density(&segment.ident.to_string()) {
        let span = segment.ident.span();
        segment.arguments = syn::PathArguments::AngleBracketed(match scalar {
            Scalar::Model => syn::parse_quote_spanned!(span=> ::<T>),
            Scalar::F64 => syn::parse_quote_spanned!(span=> ::<f64>),
        });
    }
}
