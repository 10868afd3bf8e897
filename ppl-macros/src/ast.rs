//! The typed syntax of a `model!` declaration, parsed with syn; every node keeps the span of the tokens it came from.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{braced, bracketed, parenthesized, Attribute, Expr, Ident, Pat, Token, Type, Visibility};

/// The whole macro input.
pub(crate) struct ModelInput {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub fields: Vec<DataField>,
    pub body: Vec<Stmt>,
}

/// What a data field holds, read from its Rust type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DataKind {
    Real,
    Int,
    Count,
    Bool,
    RealVec,
    IntVec,
    IndexVec,
    BoolVec,
    RealMatrix,
    RealArray2,
    IntArray2,
}

impl DataKind {
    /// Whether the field is bound by value (scalars) rather than by reference in model code.
    pub fn is_scalar(self) -> bool {
        matches!(
            self,
            DataKind::Real | DataKind::Int | DataKind::Count | DataKind::Bool
        )
    }

    /// Number of size expressions a `size = …` declaration takes.
    pub fn size_arity(self) -> usize {
        match self {
            DataKind::Real | DataKind::Int | DataKind::Count | DataKind::Bool => 0,
            DataKind::RealMatrix | DataKind::RealArray2 | DataKind::IntArray2 => 2,
            _ => 1,
        }
    }
}

/// One field of the data struct, with its `#[data(size = …, lower = …, upper = …)]` declaration.
pub(crate) struct DataField {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub ty: Type,
    pub kind: DataKind,
    pub size: Vec<Expr>,
    pub size_span: Option<Span>,
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
}

/// The kind of a parameter (Stan's parameter types).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ParamKind {
    Real,
    Vector,
    Matrix,
    Simplex,
    Ordered,
    PositiveOrdered,
    CholeskyCorr,
    CholeskyCov,
    CovMatrix,
}

impl ParamKind {
    pub fn name(self) -> &'static str {
        match self {
            ParamKind::Real => "real",
            ParamKind::Vector => "vector",
            ParamKind::Matrix => "matrix",
            ParamKind::Simplex => "simplex",
            ParamKind::Ordered => "ordered",
            ParamKind::PositiveOrdered => "positive_ordered",
            ParamKind::CholeskyCorr => "cholesky_factor_corr",
            ParamKind::CholeskyCov => "cholesky_factor_cov",
            ParamKind::CovMatrix => "cov_matrix",
        }
    }

    fn from_ident(ident: &Ident) -> Option<Self> {
        Some(match ident.to_string().as_str() {
            "real" => ParamKind::Real,
            "vector" => ParamKind::Vector,
            "matrix" => ParamKind::Matrix,
            "simplex" => ParamKind::Simplex,
            "ordered" => ParamKind::Ordered,
            "positive_ordered" => ParamKind::PositiveOrdered,
            "cholesky_factor_corr" => ParamKind::CholeskyCorr,
            "cholesky_factor_cov" => ParamKind::CholeskyCov,
            "cov_matrix" => ParamKind::CovMatrix,
            _ => return None,
        })
    }

    /// Number of size expressions in `[…]`.
    pub fn size_arity(self) -> usize {
        match self {
            ParamKind::Real => 0,
            ParamKind::Matrix => 2,
            _ => 1,
        }
    }

    /// The name in `ppl::core::transform` (`cholesky_corr` for `cholesky_factor_corr[K]`) of a
    /// `K × K` matrix parameter's transform, whose `_constrain(u, K, log_jacobian)` returns a
    /// `Result<Matrix<T>>`, `_unconstrain(&Matrix<f64>)` a `Result<Vec<f64>>`, and
    /// `_unconstrained_size(K)` the length of `u`.
    pub fn square_matrix_transform(self) -> Option<&'static str> {
        match self {
            ParamKind::CholeskyCorr => Some("cholesky_corr"),
            ParamKind::CholeskyCov => Some("cholesky_cov"),
            ParamKind::CovMatrix => Some("cov_matrix"),
            _ => None,
        }
    }

    /// Whether `lower`/`upper`/`offset`/`multiplier` apply (elementwise).
    pub fn takes_bounds(self) -> bool {
        matches!(
            self,
            ParamKind::Real | ParamKind::Vector | ParamKind::Matrix
        )
    }
}

/// `<lower = …, upper = …>` or `<offset = …, multiplier = …>`.
#[derive(Clone, Default)]
pub(crate) struct Bounds {
    pub lower: Option<(Ident, Expr)>,
    pub upper: Option<(Ident, Expr)>,
    pub offset: Option<(Ident, Expr)>,
    pub multiplier: Option<(Ident, Expr)>,
}

impl Bounds {
    pub fn is_empty(&self) -> bool {
        self.lower.is_none()
            && self.upper.is_none()
            && self.offset.is_none()
            && self.multiplier.is_none()
    }

    /// The first bound's keyword, for error messages.
    pub fn first_key(&self) -> Option<&Ident> {
        [&self.lower, &self.upper, &self.offset, &self.multiplier]
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
            .next()
    }

    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        [&self.lower, &self.upper, &self.offset, &self.multiplier]
            .into_iter()
            .flatten()
            .map(|(_, expr)| expr)
    }
}

/// A distribution on the right of `~`: `normal(mu, sigma)`.
#[derive(Clone)]
pub(crate) struct DistCall {
    pub name: Ident,
    pub paren_span: Span,
    pub args: Punctuated<Expr, Token![,]>,
}

/// A parameter declaration, explicit (`tau: real<lower = 0> ~ cauchy(0.0, 5.0);`) or implicit
/// (`mu ~ normal(0.0, 5.0);` at the top level with `mu` not yet declared).
#[derive(Clone)]
pub(crate) struct ParamDecl {
    pub name: Ident,
    /// `None` for an implicit declaration: the kind is resolved from the sizes and the prior.
    pub kind: Option<(ParamKind, Span)>,
    pub sizes: Vec<Expr>,
    pub bounds: Bounds,
    pub prior: Option<DistCall>,
}

/// A statement of the model body.
pub(crate) enum Stmt {
    Param(Box<ParamDecl>),
    Sample {
        lhs: Expr,
        tilde: Token![~],
        dist: DistCall,
    },
    Target {
        target: Ident,
        expr: Expr,
    },
    Let(syn::Local),
    Derived {
        name: Ident,
        expr: Expr,
    },
    TransformedData {
        name: Ident,
        ty: Type,
        expr: Expr,
    },
    For {
        for_token: Token![for],
        pat: Pat,
        iter: Expr,
        body: Vec<Stmt>,
    },
    While {
        while_token: Token![while],
        cond: Expr,
        body: Vec<Stmt>,
    },
    If {
        if_token: Token![if],
        cond: Expr,
        then: Vec<Stmt>,
        otherwise: Option<Vec<Stmt>>,
    },
    Block(Vec<Stmt>),
    Expr(Expr),
}

impl Parse for ModelInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if !input.peek(Token![struct]) {
            return Err(
                input.error("expected `struct Name { …data fields… }` at the start of model!")
            );
        }
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        let content;
        braced!(content in input);
        let mut fields = Vec::new();
        while !content.is_empty() {
            fields.push(parse_field(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        let body = parse_stmts(input)?;
        Ok(ModelInput {
            attrs,
            vis,
            name,
            fields,
            body,
        })
    }
}

/// The kind of a data field's (or transformed data's) declared type, `None` if unsupported.
pub(crate) fn data_kind(ty: &Type) -> Option<DataKind> {
    let text: String = quote::quote!(#ty)
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let text = ["::", "ppl::", "ppl_core::", "core::"]
        .iter()
        .fold(text.as_str(), |rest, prefix| {
            rest.strip_prefix(prefix).unwrap_or(rest)
        });
    Some(match text {
        "f64" => DataKind::Real,
        "i64" => DataKind::Int,
        "usize" => DataKind::Count,
        "bool" => DataKind::Bool,
        "Vec<f64>" => DataKind::RealVec,
        "Vec<i64>" => DataKind::IntVec,
        "Vec<usize>" => DataKind::IndexVec,
        "Vec<bool>" => DataKind::BoolVec,
        "Matrix<f64>" => DataKind::RealMatrix,
        "Vec<Vec<f64>>" => DataKind::RealArray2,
        "Vec<Vec<i64>>" => DataKind::IntArray2,
        _ => return None,
    })
}

fn parse_field(input: ParseStream) -> syn::Result<DataField> {
    let all_attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let ty: Type = input.parse()?;
    let kind = data_kind(&ty).ok_or_else(|| {
        syn::Error::new_spanned(
            &ty,
            "unsupported data type; use f64, i64, usize, bool, Vec<f64>, Vec<i64>, Vec<usize> \
             (1-based index data), Vec<bool>, Matrix<f64>, Vec<Vec<f64>> or Vec<Vec<i64>>",
        )
    })?;
    let mut field = DataField {
        attrs: Vec::new(),
        vis,
        name,
        ty,
        kind,
        size: Vec::new(),
        size_span: None,
        lower: None,
        upper: None,
    };
    for attr in all_attrs {
        if !attr.path().is_ident("data") {
            field.attrs.push(attr);
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value: Expr = meta.value()?.parse()?;
            match key.as_str() {
                "size" => {
                    field.size_span = Some(value.span());
                    field.size = match value {
                        Expr::Tuple(tuple) => tuple.elems.into_iter().collect(),
                        Expr::Paren(paren) => vec![*paren.expr],
                        other => vec![other],
                    };
                }
                "lower" => field.lower = Some(value),
                "upper" => field.upper = Some(value),
                _ => {
                    return Err(
                        meta.error("unknown data declaration; expected `size`, `lower` or `upper`")
                    )
                }
            }
            Ok(())
        })?;
    }
    Ok(field)
}

fn parse_stmts(input: ParseStream) -> syn::Result<Vec<Stmt>> {
    let mut stmts = Vec::new();
    while !input.is_empty() {
        stmts.push(parse_stmt(input)?);
    }
    Ok(stmts)
}

fn parse_block(input: ParseStream) -> syn::Result<Vec<Stmt>> {
    let content;
    braced!(content in input);
    parse_stmts(&content)
}

fn peek_keyword(input: ParseStream, keyword: &str) -> bool {
    input
        .fork()
        .parse::<Ident>()
        .is_ok_and(|ident| ident == keyword)
        && input.peek2(Ident)
}

/// Whether the statement is `name: …` (a parameter declaration), not a path `a::b`.
fn peek_declaration(input: ParseStream) -> bool {
    input.peek(Ident) && input.peek2(Token![:]) && !input.peek2(Token![::])
}

/// Stan's truncation suffix, `y ~ normal(mu, sigma) T[L, U];`, is not part of the language:
/// say so, instead of "expected `;`".
fn reject_truncation(input: ParseStream) -> syn::Result<()> {
    let fork = input.fork();
    match fork.parse::<Ident>() {
        Ok(ident) if ident == "T" && fork.peek(syn::token::Bracket) => Err(syn::Error::new(
            ident.span(),
            "truncation `T[…]` is not supported; write the sampling statement without it \
             and subtract the log probability of the truncation interval: \
             `target += -ln(P(L <= y <= U))`, with the family's CDF",
        )),
        _ => Ok(()),
    }
}

/// Stan's declaration order (`real<lower = 0> sigma;`, `vector[K] beta;`): an error that shows
/// the declaration as `model!` writes it, instead of Rust's error on an expression.
fn stan_order_declaration(input: ParseStream) -> Option<syn::Error> {
    let fork = input.fork();
    let kind_ident: Ident = fork.parse().ok()?;
    ParamKind::from_ident(&kind_ident)?;
    let mut written = kind_ident.to_string();
    if fork.peek(Token![<]) {
        fork.parse::<Token![<]>().ok()?;
        let mut bounds = Vec::new();
        while !fork.peek(Token![>]) {
            bounds.push(fork.parse::<proc_macro2::TokenTree>().ok()?.to_string());
        }
        fork.parse::<Token![>]>().ok()?;
        written = format!("{written}<{}>", bounds.join(" ").replace(" ,", ","));
    }
    if fork.peek(syn::token::Bracket) {
        let sizes: proc_macro2::Group = fork.parse().ok()?;
        written.push_str(&sizes.to_string().replace(" ,", ","));
    }
    let name: Ident = fork.parse().ok()?;
    if !(fork.peek(Token![;]) || fork.peek(Token![~])) {
        return None;
    }
    Some(syn::Error::new(
        kind_ident.span(),
        format!(
            "parameters are declared `name: type`: write `{name}: {written}` \
             (Stan's `{written} {name}`)"
        ),
    ))
}

fn parse_stmt(input: ParseStream) -> syn::Result<Stmt> {
    if input.peek(Token![for]) {
        let for_token = input.parse()?;
        let pat = Pat::parse_single(input)?;
        input.parse::<Token![in]>()?;
        let iter = Expr::parse_without_eager_brace(input)?;
        let body = parse_block(input)?;
        return Ok(Stmt::For {
            for_token,
            pat,
            iter,
            body,
        });
    }
    if input.peek(Token![while]) {
        let while_token = input.parse()?;
        let cond = Expr::parse_without_eager_brace(input)?;
        let body = parse_block(input)?;
        return Ok(Stmt::While {
            while_token,
            cond,
            body,
        });
    }
    if input.peek(Token![if]) {
        return parse_if(input);
    }
    if input.peek(syn::token::Brace) {
        return Ok(Stmt::Block(parse_block(input)?));
    }
    if input.peek(Token![let]) {
        return match input.parse::<syn::Stmt>()? {
            syn::Stmt::Local(local) => Ok(Stmt::Let(local)),
            other => Err(syn::Error::new_spanned(other, "expected a `let` statement")),
        };
    }
    if peek_keyword(input, "derived") {
        input.parse::<Ident>()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let expr: Expr = input.parse()?;
        input.parse::<Token![;]>()?;
        return Ok(Stmt::Derived { name, expr });
    }
    if peek_keyword(input, "data") {
        input.parse::<Ident>()?;
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty: Type = input.parse()?;
        input.parse::<Token![=]>()?;
        let expr: Expr = input.parse()?;
        input.parse::<Token![;]>()?;
        return Ok(Stmt::TransformedData { name, ty, expr });
    }
    if peek_declaration(input) {
        return parse_declaration(input).map(|decl| Stmt::Param(Box::new(decl)));
    }
    if let Some(error) = stan_order_declaration(input) {
        return Err(error);
    }
    let expr: Expr = input.parse()?;
    if input.peek(Token![~]) {
        let tilde = input.parse()?;
        let dist = parse_dist(input)?;
        reject_truncation(input)?;
        input.parse::<Token![;]>()?;
        return Ok(Stmt::Sample {
            lhs: expr,
            tilde,
            dist,
        });
    }
    if let Expr::Binary(binary) = &expr {
        if let (syn::BinOp::AddAssign(_), Expr::Path(path)) = (&binary.op, &*binary.left) {
            if path.path.is_ident("target") {
                let target = path.path.segments[0].ident.clone();
                let expr = (*binary.right).clone();
                input.parse::<Token![;]>()?;
                return Ok(Stmt::Target { target, expr });
            }
        }
    }
    let block_like = matches!(
        expr,
        Expr::Match(_) | Expr::Loop(_) | Expr::Block(_) | Expr::Unsafe(_)
    );
    if block_like {
        let _ = input.parse::<Option<Token![;]>>()?;
    } else if input.peek(Token![;]) {
        input.parse::<Token![;]>()?;
    } else {
        return Err(input.error("expected `;` or `~ distribution(…);` after this expression"));
    }
    Ok(Stmt::Expr(expr))
}

fn parse_if(input: ParseStream) -> syn::Result<Stmt> {
    let if_token = input.parse()?;
    let cond = Expr::parse_without_eager_brace(input)?;
    let then = parse_block(input)?;
    let otherwise = if input.peek(Token![else]) {
        input.parse::<Token![else]>()?;
        if input.peek(Token![if]) {
            Some(vec![parse_if(input)?])
        } else {
            Some(parse_block(input)?)
        }
    } else {
        None
    };
    Ok(Stmt::If {
        if_token,
        cond,
        then,
        otherwise,
    })
}

pub(crate) fn parse_dist(input: ParseStream) -> syn::Result<DistCall> {
    let name: Ident = input.parse().map_err(|error| {
        syn::Error::new(
            error.span(),
            "expected a distribution after `~`, like `normal(0.0, 1.0)`",
        )
    })?;
    let content;
    let paren = parenthesized!(content in input);
    let args = Punctuated::parse_terminated(&content)?;
    Ok(DistCall {
        name,
        paren_span: paren.span.join(),
        args,
    })
}

fn parse_declaration(input: ParseStream) -> syn::Result<ParamDecl> {
    let name: Ident = input.parse()?;
    input.parse::<Token![:]>()?;
    let kind_ident: Ident = input.parse()?;
    let kind = ParamKind::from_ident(&kind_ident).ok_or_else(|| {
        syn::Error::new_spanned(
            &kind_ident,
            format!(
                "unknown parameter type `{kind_ident}`; expected real, vector, matrix, simplex, \
                 ordered, positive_ordered, cholesky_factor_corr, cholesky_factor_cov or \
                 cov_matrix"
            ),
        )
    })?;
    let bounds = if input.peek(Token![<]) {
        parse_bounds(input)?
    } else {
        Bounds::default()
    };
    let mut sizes = Vec::new();
    if input.peek(syn::token::Bracket) {
        let content;
        bracketed!(content in input);
        sizes = Punctuated::<Expr, Token![,]>::parse_terminated(&content)?
            .into_iter()
            .collect();
    }
    let prior = if input.peek(Token![~]) {
        input.parse::<Token![~]>()?;
        Some(parse_dist(input)?)
    } else {
        None
    };
    reject_truncation(input)?;
    input.parse::<Token![;]>()?;
    Ok(ParamDecl {
        name,
        kind: Some((kind, kind_ident.span())),
        sizes,
        bounds,
        prior,
    })
}

/// Tokens up to a top-level `,` or `>` (a `>=` stays in the expression); groups are atomic, so
/// a comparison inside parentheses is fine.
fn bound_expr(input: ParseStream) -> syn::Result<Expr> {
    let mut tokens = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.peek(Token![>=]) {
            let ge: Token![>=] = input.parse()?;
            tokens.extend(quote::quote!(#ge));
            continue;
        }
        if input.peek(Token![>]) {
            break;
        }
        tokens.extend(std::iter::once(input.parse::<TokenTree>()?));
    }
    if tokens.is_empty() {
        return Err(input.error("expected an expression for this bound"));
    }
    syn::parse2(tokens)
}

fn parse_bounds(input: ParseStream) -> syn::Result<Bounds> {
    input.parse::<Token![<]>()?;
    let mut bounds = Bounds::default();
    loop {
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let expr = bound_expr(input)?;
        let slot = match key.to_string().as_str() {
            "lower" => &mut bounds.lower,
            "upper" => &mut bounds.upper,
            "offset" => &mut bounds.offset,
            "multiplier" => &mut bounds.multiplier,
            _ => {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!(
                        "unknown constraint `{key}`; expected lower, upper, offset or multiplier"
                    ),
                ))
            }
        };
        if slot.is_some() {
            return Err(syn::Error::new_spanned(
                &key,
                format!("constraint `{key}` is given twice"),
            ));
        }
        *slot = Some((key, expr));
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            continue;
        }
        input.parse::<Token![>]>()?;
        return Ok(bounds);
    }
}

/// The names a pattern binds (`x`, `(a, b)`, `Some(v)`, `x: f64`, `ref x @ …`).
pub(crate) fn pat_idents(pat: &Pat, out: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(p) => {
            out.push(p.ident.clone());
            if let Some((_, sub)) = &p.subpat {
                pat_idents(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| pat_idents(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Type(t) => pat_idents(&t.pat, out),
        Pat::Reference(r) => pat_idents(&r.pat, out),
        Pat::Paren(p) => pat_idents(&p.pat, out),
        Pat::Or(o) => o.cases.iter().for_each(|p| pat_idents(p, out)),
        _ => {}
    }
}

/// What a statement binds a name to (see [`bindings`]).
#[derive(Clone, Copy)]
pub(crate) enum Binding<'a> {
    /// A parameter declaration.
    Param(&'a ParamDecl),
    /// A `let` (with its initialiser, if any) or a derived quantity.
    Value(Option<&'a Expr>),
    /// Transformed data, or a `for` variable.
    Other,
}

/// The names bound by `let` patterns in an `if` or `while` condition (`if let Some(x) = …`,
/// `while let … && let …`).
fn condition_bindings<'a>(cond: &'a Expr, out: &mut Vec<(Ident, Binding<'a>)>) {
    match cond {
        Expr::Let(binding) => {
            let mut names = Vec::new();
            pat_idents(&binding.pat, &mut names);
            out.extend(names.into_iter().map(|name| (name, Binding::Other)));
        }
        Expr::Binary(binary) => {
            condition_bindings(&binary.left, out);
            condition_bindings(&binary.right, out);
        }
        Expr::Paren(paren) => condition_bindings(&paren.expr, out),
        _ => {}
    }
}

/// Every name a statement of `body` binds (parameters, `let` patterns, `if let` / `while let`
/// patterns, `for` variables, derived quantities, transformed data), at any depth, in order,
/// with what it is bound to.
pub(crate) fn bindings<'a>(body: &'a [Stmt], out: &mut Vec<(Ident, Binding<'a>)>) {
    for stmt in body {
        match stmt {
            Stmt::Param(decl) => out.push((decl.name.clone(), Binding::Param(decl))),
            Stmt::Let(local) => {
                let mut names = Vec::new();
                pat_idents(&local.pat, &mut names);
                let init = local.init.as_ref().map(|init| &*init.expr);
                out.extend(names.into_iter().map(|name| (name, Binding::Value(init))));
            }
            Stmt::Derived { name, expr } => out.push((name.clone(), Binding::Value(Some(expr)))),
            Stmt::TransformedData { name, .. } => out.push((name.clone(), Binding::Other)),
            Stmt::For { pat, body, .. } => {
                let mut names = Vec::new();
                pat_idents(pat, &mut names);
                out.extend(names.into_iter().map(|name| (name, Binding::Other)));
                bindings(body, out);
            }
            Stmt::While { cond, body, .. } => {
                condition_bindings(cond, out);
                bindings(body, out);
            }
            Stmt::Block(body) => bindings(body, out),
            Stmt::If {
                cond,
                then,
                otherwise,
                ..
            } => {
                condition_bindings(cond, out);
                bindings(then, out);
                if let Some(otherwise) = otherwise {
                    bindings(otherwise, out);
                }
            }
            Stmt::Sample { .. } | Stmt::Target { .. } | Stmt::Expr(_) => {}
        }
    }
}

/// Whether `test` holds for the distribution of some `~` statement or parameter prior of
/// `body`, at any depth.
pub(crate) fn any_distribution(body: &[Stmt], test: &dyn Fn(&DistCall) -> bool) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Sample { dist, .. } => test(dist),
        Stmt::Param(decl) => decl.prior.as_ref().is_some_and(test),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Block(body) => {
            any_distribution(body, test)
        }
        Stmt::If {
            then, otherwise, ..
        } => {
            any_distribution(then, test)
                || otherwise
                    .as_ref()
                    .is_some_and(|otherwise| any_distribution(otherwise, test))
        }
        Stmt::Target { .. }
        | Stmt::Let(_)
        | Stmt::Derived { .. }
        | Stmt::TransformedData { .. }
        | Stmt::Expr(_) => false,
    })
}
