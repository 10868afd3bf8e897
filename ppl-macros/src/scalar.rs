//! Names the model's scalar type on density calls that are arithmetic operands in the model body (`lp[s] += poisson_lpmf(D[t], rate)?` becomes `poisson_lpmf::<T>(…)?`).
//!
//! The densities of `ppl::core::dist` are generic over their result's scalar. As an operand of
//! `+`, `-`, `*`, `/`, their compound assignments or a unary `-`, Rust cannot infer it (`T`
//! implements `Add<T>` and `Add<f64>`), so such code never compiles as written; Stan users
//! write it all the time (`lp[s] += poisson_lpmf(D[t] | rate)`,
//! `bernoulli_lpmf(0 | theta) + poisson_lpmf(y | lambda)`). Naming `T` there changes no code
//! that compiles. Only bare calls of the registry's densities without generic arguments are
//! annotated; `let` statements with a type annotation, transformed data and closures are left
//! alone (there the annotation or the closure's own inference decides).

use crate::ast::{DistCall, Stmt};
use ppl_core::dist::FAMILIES;
use syn::{BinOp, Block, Expr, ExprCall, Pat, UnOp};

/// Annotates the density calls in arithmetic operand position in every statement of the model
/// body.
pub(crate) fn annotate(body: &mut [Stmt]) {
    for stmt in body {
        annotate_stmt(stmt);
    }
}

fn annotate_stmt(stmt: &mut Stmt) {
    match stmt {
        Stmt::Sample { lhs, dist, .. } => {
            expr(lhs, false);
            dist_args(dist);
        }
        Stmt::Target { expr: value, .. } | Stmt::Derived { expr: value, .. } => expr(value, false),
        Stmt::Let(local) => {
            if !matches!(local.pat, Pat::Type(_)) {
                if let Some(init) = &mut local.init {
                    expr(&mut init.expr, false);
                    if let Some((_, diverge)) = &mut init.diverge {
                        expr(diverge, false);
                    }
                }
            }
        }
        Stmt::For { iter, body, .. } => {
            expr(iter, false);
            annotate(body);
        }
        Stmt::While { cond, body, .. } => {
            expr(cond, false);
            annotate(body);
        }
        Stmt::If {
            cond,
            then,
            otherwise,
            ..
        } => {
            expr(cond, false);
            annotate(then);
            if let Some(otherwise) = otherwise {
                annotate(otherwise);
            }
        }
        Stmt::Block(body) => annotate(body),
        Stmt::Expr(value) => expr(value, false),
        Stmt::Param(_) | Stmt::TransformedData { .. } => {}
    }
}

fn dist_args(dist: &mut DistCall) {
    for arg in &mut dist.args {
        expr(arg, false);
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
fn expr(value: &mut Expr, operand: bool) {
    match value {
        Expr::Binary(binary) => {
            let arithmetic = is_arithmetic(&binary.op);
            expr(&mut binary.left, arithmetic);
            expr(&mut binary.right, arithmetic);
        }
        Expr::Unary(unary) => {
            let negation = matches!(unary.op, UnOp::Neg(_));
            expr(&mut unary.expr, negation);
        }
        Expr::Paren(paren) => expr(&mut paren.expr, operand),
        Expr::Try(try_expr) => expr(&mut try_expr.expr, operand),
        Expr::Call(call) => {
            if operand {
                name_scalar(call);
            }
            expr(&mut call.func, false);
            for arg in &mut call.args {
                expr(arg, false);
            }
        }
        Expr::MethodCall(call) => {
            expr(&mut call.receiver, false);
            for arg in &mut call.args {
                expr(arg, false);
            }
        }
        Expr::Index(index) => {
            expr(&mut index.expr, false);
            expr(&mut index.index, false);
        }
        Expr::Reference(reference) => expr(&mut reference.expr, false),
        Expr::Array(array) => array.elems.iter_mut().for_each(|elem| expr(elem, false)),
        Expr::Tuple(tuple) => tuple.elems.iter_mut().for_each(|elem| expr(elem, false)),
        Expr::Assign(assign) => {
            expr(&mut assign.left, false);
            expr(&mut assign.right, false);
        }
        Expr::If(if_expr) => {
            expr(&mut if_expr.cond, false);
            block(&mut if_expr.then_branch);
            if let Some((_, otherwise)) = &mut if_expr.else_branch {
                expr(otherwise, false);
            }
        }
        Expr::Block(block_expr) => block(&mut block_expr.block),
        Expr::Unsafe(unsafe_expr) => block(&mut unsafe_expr.block),
        Expr::ForLoop(for_loop) => {
            expr(&mut for_loop.expr, false);
            block(&mut for_loop.body);
        }
        Expr::While(while_loop) => {
            expr(&mut while_loop.cond, false);
            block(&mut while_loop.body);
        }
        Expr::Loop(loop_expr) => block(&mut loop_expr.body),
        Expr::Match(match_expr) => {
            expr(&mut match_expr.expr, false);
            for arm in &mut match_expr.arms {
                expr(&mut arm.body, false);
            }
        }
        Expr::Let(let_expr) => expr(&mut let_expr.expr, false),
        _ => {}
    }
}

fn block(body: &mut Block) {
    for stmt in &mut body.stmts {
        match stmt {
            syn::Stmt::Local(local) if !matches!(local.pat, Pat::Type(_)) => {
                if let Some(init) = &mut local.init {
                    expr(&mut init.expr, false);
                }
            }
            syn::Stmt::Expr(value, _) => expr(value, false),
            _ => {}
        }
    }
}

/// `f(…)` with `f` a bare name of a registry density (`normal_lpdf`, `poisson_lupmf`, …)
/// becomes `f::<T>(…)`.
fn name_scalar(call: &mut ExprCall) {
    let Expr::Path(path) = &mut *call.func else {
        return;
    };
    if path.qself.is_some() || path.path.leading_colon.is_some() || path.path.segments.len() != 1 {
        return;
    }
    let segment = &mut path.path.segments[0];
    if !segment.arguments.is_none() {
        return;
    }
    let name = segment.ident.to_string();
    let is_density = FAMILIES
        .iter()
        .any(|family| family.log_density == name || family.log_density_propto == name);
    if is_density {
        let span = segment.ident.span();
        segment.arguments =
            syn::PathArguments::AngleBracketed(syn::parse_quote_spanned!(span=> ::<T>));
    }
}
