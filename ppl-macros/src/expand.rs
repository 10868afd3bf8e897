//! Code generation: the data struct and its constructors, the generic log-density with its transforms, and the `ppl::core::Model` implementation.

use ppl_core::dist::SupportKind;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Type};

use crate::affine::{self, affine_argument, AffineScope};
use crate::ast::{
    any_distribution, bindings, data_kind, Bounds, DataField, DataKind, DistCall, ModelInput,
    ParamDecl, ParamKind, Stmt,
};

/// Internal identifiers, invisible to user code (mixed-site hygiene).
struct Names {
    u: Ident,
    pos: Ident,
    log_jacobian: Ident,
    target: Ident,
    jacobian: Ident,
    density: Ident,
    params_out: Ident,
    derived_out: Ident,
    derived_dims: Ident,
    constrained: Ident,
    input: Ident,
    output: Ident,
    predict: Ident,
    /// Observed data fields (left sides of `~`), in declaration order.
    observed: Vec<(Ident, DataKind)>,
    /// Other data fields and transformed data (a `~` on them is unsupported in predictive mode).
    other_data: Vec<Ident>,
    /// Parameters: name, index, kind, bounds.
    params: Vec<(Ident, usize, ParamKind, Bounds)>,
    /// Real-matrix data that no statement rebinds (fields, and transformed data declared
    /// `Matrix<f64>`): `X * beta` with one of them on the left is a GLM linear predictor (see
    /// [`glm_call`]).
    glm_matrices: Vec<Ident>,
    /// Real data (scalars, vectors and matrices: fields, and transformed data declared `f64`,
    /// `Vec<f64>` or `Matrix<f64>`) that no statement rebinds: a `~` operand naming one (or an
    /// element of a vector one) is data whatever the scalar type (see [`data_operand`]).
    real_data: Vec<(Ident, DataKind)>,
    /// What the `Affine` rewrite of `~` arguments knows about the names (see [`crate::affine`]).
    affine: AffineScope,
}

impl Names {
    fn new(model: &ModelInput) -> Self {
        let observed = observed_fields(model);
        let other_data = model
            .fields
            .iter()
            .map(|field| field.name.clone())
            .filter(|name| !observed.iter().any(|(observed, _)| observed == name))
            .chain(model.body.iter().filter_map(|stmt| match stmt {
                Stmt::TransformedData { name, .. } => Some(name.clone()),
                _ => None,
            }))
            .collect();
        let params = params(&model.body)
            .into_iter()
            .enumerate()
            .map(|(index, decl)| (decl.name.clone(), index, kind(decl), decl.bounds.clone()))
            .collect();
        let mut bound = Vec::new();
        bindings(&model.body, &mut bound);
        let is_real = |kind: DataKind| {
            matches!(
                kind,
                DataKind::Real | DataKind::RealVec | DataKind::RealMatrix
            )
        };
        let binding_count = |name: &Ident| bound.iter().filter(|(n, _)| n == name).count();
        // A field is data when nothing binds its name; transformed data when nothing but its
        // own declaration does.
        let real_data = model
            .fields
            .iter()
            .filter(|field| is_real(field.kind) && binding_count(&field.name) == 0)
            .map(|field| (field.name.clone(), field.kind))
            .chain(model.body.iter().filter_map(|stmt| {
                match stmt {
                    Stmt::TransformedData { name, ty, .. } => data_kind(ty)
                        .filter(|kind| is_real(*kind) && binding_count(name) == 1)
                        .map(|kind| (name.clone(), kind)),
                    _ => None,
                }
            }))
            .collect::<Vec<_>>();
        // The real data matrices are the GLM design matrices (fields and transformed data).
        let glm_matrices = real_data
            .iter()
            .filter(|(_, kind)| *kind == DataKind::RealMatrix)
            .map(|(name, _)| name.clone())
            .collect();
        let hidden = |name: &str| Ident::new(name, Span::mixed_site());
        Names {
            u: hidden("__u"),
            pos: hidden("__pos"),
            log_jacobian: hidden("__log_jacobian"),
            target: hidden("__target"),
            jacobian: hidden("__jacobian"),
            density: hidden("__density"),
            params_out: hidden("__params_out"),
            derived_out: hidden("__derived_out"),
            derived_dims: hidden("__derived_dims"),
            constrained: hidden("__constrained"),
            input: hidden("__in"),
            output: hidden("__out"),
            predict: hidden("__predict"),
            observed,
            other_data,
            params,
            glm_matrices,
            real_data,
            affine: AffineScope::new(model),
        }
    }
}

/// Data fields that are the left side (or its base variable) of some `~` statement, in
/// declaration order, with their kinds.
fn observed_fields(model: &ModelInput) -> Vec<(Ident, DataKind)> {
    fn walk<'a>(body: &'a [Stmt], out: &mut Vec<&'a Ident>) {
        for stmt in body {
            match stmt {
                Stmt::Sample { lhs, .. } => out.extend(lhs_base(lhs)),
                Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Block(body) => {
                    walk(body, out);
                }
                Stmt::If {
                    then, otherwise, ..
                } => {
                    walk(then, out);
                    if let Some(otherwise) = otherwise {
                        walk(otherwise, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut bases = Vec::new();
    walk(&model.body, &mut bases);
    model
        .fields
        .iter()
        .filter(|field| bases.contains(&&field.name))
        .map(|field| (field.name.clone(), field.kind))
        .collect()
}

/// Flat dimensions of an observed field (`[]` for a scalar, `[n]` for a vector), as tokens.
fn observed_dims(name: &Ident, kind: DataKind) -> TokenStream {
    match kind {
        DataKind::RealVec | DataKind::IntVec => quote!(vec![self.#name.len()]),
        DataKind::Real | DataKind::Int => quote!(::std::vec::Vec::<usize>::new()),
        // Unsupported kinds: no elements (a `~` on them fails at run time).
        _ => quote!(vec![0usize]),
    }
}

/// `impl ppl::core::Predictive`: replays the body with a `PredictiveState`.
fn predictive_impl(model: &ModelInput, names: &Names) -> TokenStream {
    let name = &model.name;
    let support = quote!(::ppl::core::__predictive_support);
    let labels: Vec<String> = names.observed.iter().map(|(n, _)| n.to_string()).collect();
    let dims: Vec<TokenStream> = names
        .observed
        .iter()
        .map(|(field, kind)| observed_dims(field, *kind))
        .collect();
    quote! {
        impl #name {
            /// Flat dimensions of the observed data fields.
            fn __ppl_observed_dims(&self) -> ::std::vec::Vec<::std::vec::Vec<usize>> {
                vec![#(#dims),*]
            }

            fn __ppl_observed_sizes(&self) -> ::std::vec::Vec<usize> {
                self.__ppl_observed_dims().iter().map(|d| d.iter().product()).collect()
            }
        }

        impl ::ppl::core::Predictive for #name {
            fn observed_names(&self) -> ::std::vec::Vec<::std::string::String> {
                let labels: &[&str] = &[#(#labels),*];
                let mut names = ::std::vec::Vec::new();
                for (label, dims) in labels.iter().zip(self.__ppl_observed_dims()) {
                    ::ppl::__private::flat_names(label, &dims, &mut names);
                }
                names
            }

            fn simulate_observed(
                &self,
                unconstrained: &[f64],
                rng: &mut dyn ::ppl::core::__predictive_support::RngCore,
            ) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                let mut state = #support::PredictiveState::draw(&self.__ppl_observed_sizes(), rng);
                self.__ppl_log_density::<f64>(unconstrained, false, false, None, None, None, Some(&mut state))?;
                Ok(state.values.concat())
            }

            fn observed_moments(
                &self,
                unconstrained: &[f64],
            ) -> ::ppl::core::Result<(::std::vec::Vec<f64>, ::std::vec::Vec<f64>)> {
                let mut state = #support::PredictiveState::moments(&self.__ppl_observed_sizes());
                self.__ppl_log_density::<f64>(unconstrained, false, false, None, None, None, Some(&mut state))?;
                Ok((state.values.concat(), state.variances.concat()))
            }

            fn simulate_prior(
                &self,
                rng: &mut dyn ::ppl::core::__predictive_support::RngCore,
            ) -> ::ppl::core::Result<(::std::vec::Vec<f64>, ::std::vec::Vec<f64>)> {
                let mut unconstrained = vec![0.0_f64; self.__ppl_dim];
                let mut constrained = ::ppl::core::Model::constrain(self, &unconstrained)?;
                let param_names = ::ppl::core::Model::param_names(self);
                let mut offset = 0usize;
                for (index, dims) in self.__ppl_param_dims.iter().enumerate() {
                    let len: usize = dims.iter().product();
                    let mut state = #support::PredictiveState::prior(index, len, &mut *rng);
                    self.__ppl_log_density::<f64>(&unconstrained, false, false, None, None, None, Some(&mut state))?;
                    let draw = state.finish_prior(&param_names[offset..offset + len])?;
                    constrained[offset..offset + len].copy_from_slice(&draw);
                    unconstrained = ::ppl::core::Model::unconstrain(self, &constrained)?;
                    offset += len;
                }
                let observed = self.simulate_observed(&unconstrained, rng)?;
                Ok((unconstrained, observed))
            }
        }
    }
}

/// `for_prediction` / `from_json_for_prediction`: the constructors without the observed
/// fields, which get placeholders of their declared size.
fn prediction_constructors(model: &ModelInput, names: &Names) -> TokenStream {
    let is_observed = |field: &DataField| names.observed.iter().any(|(n, _)| *n == field.name);
    let args = model.fields.iter().filter(|f| !is_observed(f)).map(|f| {
        let (name, ty) = (&f.name, &f.ty);
        if f.kind == DataKind::IndexVec {
            quote!(#name: ::std::vec::Vec<usize>)
        } else {
            quote!(#name: #ty)
        }
    });
    let placeholders = model.fields.iter().filter(|f| is_observed(f)).map(|f| {
        let (name, ty) = (&f.name, &f.ty);
        let label = name.to_string();
        // A bound may be written as an integer or a real literal whatever the field's type.
        let integer = matches!(f.kind, DataKind::Int | DataKind::IntVec);
        let as_f64 = |bound: &Expr| quote!(::ppl::__private::DataValue::as_f64(&(#bound)));
        let value = match (&f.lower, &f.upper) {
            (Some(bound), _) if integer => {
                let bound = as_f64(bound);
                quote!((#bound).ceil() as i64)
            }
            (None, Some(bound)) if integer => {
                let bound = as_f64(bound);
                quote!((#bound).floor() as i64)
            }
            (Some(bound), _) | (None, Some(bound)) => as_f64(bound),
            (None, None) => quote!(::std::default::Default::default()),
        };
        match (f.kind, f.size.as_slice()) {
            (DataKind::Real | DataKind::Int, _) => quote!(let #name: #ty = #value;),
            (DataKind::RealVec | DataKind::IntVec, [len]) => quote_spanned! {len.span()=>
                let #name: #ty = vec![#value; ::ppl::__private::IntoSize::into_size(#len, Self::__PPL_MODEL, concat!("data ", #label))?];
            },
            (DataKind::RealVec | DataKind::IntVec, _) => quote! {
                return Err(::ppl::core::Error::Data {
                    model: Self::__PPL_MODEL,
                    field: #label.to_string(),
                    message: "has no declared size (#[data(size = …)]), so for_prediction cannot create its placeholder".to_string(),
                });
                let #name: #ty = ::std::unreachable!();
            },
            _ => quote! {
                return Err(::ppl::core::Error::Data {
                    model: Self::__PPL_MODEL,
                    field: #label.to_string(),
                    message: "is observed data of a type that predictive sampling does not support (use f64, i64, Vec<f64> or Vec<i64>)".to_string(),
                });
                let #name: #ty = ::std::unreachable!();
            },
        }
    });
    let all_names = model.fields.iter().map(|f| &f.name);
    let json_fields = model.fields.iter().filter(|f| !is_observed(f)).map(|f| {
        let label = f.name.to_string();
        quote!(::ppl::__private::json_field(&__value, Self::__PPL_MODEL, #label)?)
    });
    let observed_list = names
        .observed
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        "Builds the model for prediction on new inputs: the data without the observed fields \
         ({observed_list}), which are filled with placeholders of their declared size (the \
         field's lower bound, else its upper bound, else 0), then checked as [`Self::new`].\n\n\
         # Errors\n[`ppl::core::Error::Data`] if an observed vector has no declared size, or as \
         [`Self::new`]."
    );
    quote! {
        #[doc = #doc]
        #[allow(unreachable_code, clippy::diverging_sub_expression)]
        pub fn for_prediction(#(#args),*) -> ::ppl::core::Result<Self> {
            #(#placeholders)*
            Self::new(#(#all_names),*)
        }

        /// [`Self::for_prediction`] from Stan-style JSON data without the observed fields.
        ///
        /// # Errors
        /// As [`Self::from_json`] and [`Self::for_prediction`].
        pub fn from_json_for_prediction(json: &str) -> ::ppl::core::Result<Self> {
            let __value = ::ppl::__private::parse_json(json, Self::__PPL_MODEL)?;
            Self::for_prediction(#(#json_fields),*)
        }
    }
}

fn storage(name: &Ident) -> Ident {
    format_ident!("__ppl_value_{}", name, span = Span::mixed_site())
}

/// Parameters in declaration order (top level only, after validation).
fn params(body: &[Stmt]) -> Vec<&ParamDecl> {
    body.iter()
        .filter_map(|stmt| match stmt {
            Stmt::Param(decl) => Some(&**decl),
            _ => None,
        })
        .collect()
}

fn kind(decl: &ParamDecl) -> ParamKind {
    decl.kind.map_or(ParamKind::Real, |(kind, _)| kind)
}

/// `::ppl::core::transform::cholesky_corr_constrain` and the like, for a `K × K` matrix
/// parameter's transform (`step` is `constrain` or `unconstrain`).
fn square_matrix_function(kind: ParamKind, step: &str) -> TokenStream {
    let transform = kind
        .square_matrix_transform()
        .expect("a square matrix parameter kind");
    let function = Ident::new(&format!("{transform}_{step}"), Span::call_site());
    quote!(::ppl::core::transform::#function)
}

fn is_scalar_type(ty: &Type) -> bool {
    let text = quote!(#ty).to_string();
    matches!(text.as_str(), "f64" | "i64" | "usize" | "bool" | "i32")
}

/// How model code sees transformed data `name: ty` stored in `value`: scalars by value,
/// `Vec<f64>` as `&Vector<f64>`, anything else by reference.
fn typed_binding(name: &Ident, ty: &Type, value: TokenStream) -> TokenStream {
    let text: String = quote!(#ty).to_string().split_whitespace().collect();
    if is_scalar_type(ty) {
        quote!(let #name = #value;)
    } else if text == "Vec<f64>" {
        quote!(let #name = ::ppl::core::Vector::from_vec_ref(&#value);)
    } else {
        quote!(let #name = &#value;)
    }
}

/// `let y = &self.y;` (containers) or `let J = self.J;` (scalars) for every data field and
/// transformed data.
fn data_bindings(model: &ModelInput, source: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for field in &model.fields {
        out.extend(field_binding(field, quote!(#source.)));
    }
    for stmt in &model.body {
        if let Stmt::TransformedData { name, ty, .. } = stmt {
            out.extend(typed_binding(name, ty, quote!(#source.#name)));
        }
    }
    out
}

/// How model code sees a data field: scalars by value, real vectors as `&Vector<f64>` (so that
/// `beta * x` works), other containers by reference. `source` is `self.` or empty.
fn field_binding(field: &DataField, source: TokenStream) -> TokenStream {
    let name = &field.name;
    match field.kind {
        kind if kind.is_scalar() => quote!(let #name = #source #name;),
        DataKind::RealVec => quote!(let #name = ::ppl::core::Vector::from_vec_ref(&#source #name);),
        _ => quote!(let #name = &#source #name;),
    }
}

/// The where-clauses that let one generic body mix `f64`, `T`, and `Vector<T>` arithmetic.
fn where_clauses() -> TokenStream {
    let ops = [
        quote!(::std::ops::Add),
        quote!(::std::ops::Sub),
        quote!(::std::ops::Mul),
        quote!(::std::ops::Div),
    ];
    let vector = quote!(::ppl::core::Vector<T>);
    let data = quote!(::ppl::core::Vector<f64>);
    let mut clauses = TokenStream::new();
    for op in &ops {
        clauses.extend(quote! {
            // Several candidates per left type keep inference open until the right side is
            // known (a single where-clause would be committed to early: `2.0 * &v` must not
            // be read as `f64 * T`).
            f64: #op<T, Output = T> + #op<#vector, Output = #vector> + for<'__a> #op<&'__a #vector, Output = #vector>,
            T: #op<#vector, Output = #vector> + for<'__a> #op<&'__a #vector, Output = #vector>,
            #vector: #op<T, Output = #vector>,
            for<'__a> &'__a #vector: #op<T, Output = #vector>,
            T: for<'__a> #op<&'__a #data, Output = #vector>,
            for<'__a> &'__a #data: #op<T, Output = #vector>,
            for<'__a, '__b> &'__a #vector: #op<&'__b #data, Output = #vector>,
            for<'__a> #vector: #op<&'__a #data, Output = #vector>,
            for<'__a, '__b> &'__a #data: #op<&'__b #vector, Output = #vector>,
            for<'__a> &'__a #data: #op<#vector, Output = #vector>,
            // Owned data vectors computed in the body (`exposure.ln() + alpha`,
            // `beta * x.head(n)?`).
            // (With the data-only candidates listed too, so that `v * x` of two data vectors
            // is not read as `v * T`.)
            T: #op<#data, Output = #vector>,
            #data: #op<T, Output = #vector>
                + #op<f64, Output = #data>
                + #op<#data, Output = #data>
                + for<'__a> #op<&'__a #data, Output = #data>
                + for<'__a> #op<&'__a [f64], Output = #data>
                + for<'__a> #op<&'__a ::std::vec::Vec<f64>, Output = #data>,
        });
    }
    clauses.extend(quote! {
        f64: ::ppl::__private::IntoReal<T> + ::ppl::__private::IntoTerm<T>,
        for<'__a, '__b> &'__a ::ppl::core::Matrix<T>: ::std::ops::Mul<&'__b #vector, Output = #vector>,
    });
    clauses
}

pub(crate) fn expand(model: &ModelInput) -> TokenStream {
    let names = Names::new(model);
    let struct_def = struct_definition(model, true);
    let name = &model.name;
    let model_name = name.to_string();
    let constructor = constructor(model);
    let json = json_constructors(model);
    let prediction = prediction_constructors(model, &names);
    let predictive = predictive_impl(model, &names);
    let log_density = log_density(model, &names);
    let prefers_sparse =
        uses_glm(&names, &model.body) || affine::prefers_sparse(&names.affine, &model.body);
    let unconstrain = unconstrain(model, &names);
    let params = params(&model.body);
    let param_names: Vec<String> = params.iter().map(|p| p.name.to_string()).collect();
    let param_index = 0..params.len();
    let derived_names: Vec<String> = model
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Derived { name, .. } => Some(name.to_string()),
            _ => None,
        })
        .collect();
    let Names {
        u,
        params_out,
        derived_out,
        ..
    } = &names;
    quote! {
        #struct_def

        #[allow(non_snake_case, unused_variables, unused_mut, unused_assignments, unused_braces,
                clippy::all, clippy::pedantic)]
        impl #name {
            const __PPL_MODEL: &'static str = #model_name;
            /// The number of unconstrained parameters. (Inherent, so that `model.dim()` is not
            /// ambiguous when both `Model` and `LogDensity` are in scope; the same for
            /// `param_names`, `constrain` and `unconstrain`.)
            pub fn dim(&self) -> usize {
                <Self as ::ppl::core::Model>::dim(self)
            }
            /// The constrained parameters' names, in Stan's order (`theta[1]`, `L[2,1]`), then the
            /// derived quantities'.
            pub fn param_names(&self) -> ::std::vec::Vec<::std::string::String> {
                <Self as ::ppl::core::Model>::param_names(self)
            }
            /// Constrained parameters (and derived quantities) at an unconstrained point.
            pub fn constrain(&self, unconstrained: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                <Self as ::ppl::core::Model>::constrain(self, unconstrained)
            }
            /// The unconstrained point of constrained parameter values; an error names the
            /// parameter outside its support.
            pub fn unconstrain(&self, constrained: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                <Self as ::ppl::core::Model>::unconstrain(self, constrained)
            }
            /// The model with gradients computed in `mode` (default
            /// [`GradientMode::Auto`](::ppl::core::GradientMode::Auto): dense chunked duals for
            /// small dimensions, sparse duals above and for GLM likelihoods and gathered affine
            /// arguments; see `docs/ad.md`).
            pub fn with_gradient_mode(mut self, mode: ::ppl::core::GradientMode) -> Self {
                self.__ppl_gradient_mode = mode;
                self
            }
            #constructor
            #json
            #prediction
            #log_density
            #unconstrain
        }

        impl ::ppl::core::Model for #name {
            fn dim(&self) -> usize {
                self.__ppl_dim
            }

            fn gradient_mode(&self) -> ::ppl::core::GradientMode {
                self.__ppl_gradient_mode
            }

            fn prefers_sparse_gradient(&self) -> bool {
                #prefers_sparse
            }

            fn log_density_f64(&self, #u: &[f64], jacobian: bool) -> ::ppl::core::Result<f64> {
                self.__ppl_log_density::<f64>(#u, jacobian, true, None, None, None, None)
            }

            fn log_density_dual<const __N: usize>(
                &self,
                #u: &[::ppl::core::Dual<__N>],
                jacobian: bool,
            ) -> ::ppl::core::Result<::ppl::core::Dual<__N>> {
                self.__ppl_log_density::<::ppl::core::Dual<__N>>(#u, jacobian, true, None, None, None, None)
            }

            fn log_density_sparse(
                &self,
                #u: &[::ppl::core::SparseDual<{ ::ppl::core::SPARSE_CAPACITY }>],
                jacobian: bool,
            ) -> ::ppl::core::Result<::ppl::core::SparseDual<{ ::ppl::core::SPARSE_CAPACITY }>> {
                self.__ppl_log_density::<::ppl::core::SparseDual<{ ::ppl::core::SPARSE_CAPACITY }>>(#u, jacobian, true, None, None, None, None)
            }

            fn param_names(&self) -> ::std::vec::Vec<::std::string::String> {
                let mut names = ::std::vec::Vec::new();
                #( ::ppl::__private::flat_names(#param_names, &self.__ppl_param_dims[#param_index], &mut names); )*
                let derived: &[&str] = &[#(#derived_names),*];
                for (name, dims) in derived.iter().zip(&self.__ppl_derived_dims) {
                    ::ppl::__private::flat_names(name, dims, &mut names);
                }
                names
            }

            fn constrain(&self, #u: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                let mut #params_out = ::std::vec::Vec::new();
                let mut #derived_out = ::std::vec::Vec::new();
                self.__ppl_log_density::<f64>(#u, false, false, Some(&mut #params_out), Some(&mut #derived_out), None, None)?;
                #params_out.extend(#derived_out);
                Ok(#params_out)
            }

            fn unconstrain(&self, constrained: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                self.__ppl_unconstrain(constrained)
            }
        }

        #predictive
    }
}

/// The struct: the data fields as declared, transformed data, and the hidden layout.
fn struct_definition(model: &ModelInput, with_internals: bool) -> TokenStream {
    let attrs = &model.attrs;
    let vis = &model.vis;
    let name = &model.name;
    let fields = model.fields.iter().map(|field| {
        let DataField {
            attrs, vis, name, ty, kind, ..
        } = field;
        let note = if *kind == DataKind::IndexVec {
            quote!(#[doc = "Index data, stored 0-based (given 1-based to the constructors, as in Stan JSON)."])
        } else {
            TokenStream::new()
        };
        quote!(#(#attrs)* #note #vis #name: #ty,)
    });
    let internals = if with_internals {
        let tdata = model.body.iter().filter_map(|stmt| match stmt {
            Stmt::TransformedData { name, ty, .. } => Some(quote!(#name: #ty,)),
            _ => None,
        });
        quote! {
            #(#tdata)*
            __ppl_param_dims: ::std::vec::Vec<::std::vec::Vec<usize>>,
            __ppl_dim: usize,
            __ppl_derived_dims: ::std::vec::Vec<::std::vec::Vec<usize>>,
            __ppl_gradient_mode: ::ppl::core::GradientMode,
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #(#attrs)*
        #[derive(Debug, Clone)]
        #[allow(non_snake_case)]
        #vis struct #name {
            #(#fields)*
            #internals
        }
    }
}

/// Checks of one data field's declared size and bounds, on the constructor's arguments.
fn field_checks(field: &DataField) -> TokenStream {
    let name = &field.name;
    let label = name.to_string();
    let mut out = TokenStream::new();
    let size = |expr: &Expr| quote_spanned!(expr.span()=> ::ppl::__private::IntoSize::into_size(#expr, Self::__PPL_MODEL, concat!("data ", #label))?);
    let size_text: Vec<String> = field.size.iter().map(|e| quote!(#e).to_string()).collect();
    match (field.kind.size_arity(), field.size.as_slice()) {
        (1, [len]) => {
            let len = size(len);
            let text = &size_text[0];
            out.extend(quote! {
                ::ppl::__private::check_size(Self::__PPL_MODEL, #label, "length", #name.len(), #len, #text)?;
            });
        }
        (2, [rows, cols]) => {
            let (rows, cols) = (size(rows), size(cols));
            let (rows_text, cols_text) = (&size_text[0], &size_text[1]);
            if field.kind == DataKind::RealMatrix {
                out.extend(quote! {
                    ::ppl::__private::check_size(Self::__PPL_MODEL, #label, "rows", #name.rows(), #rows, #rows_text)?;
                    ::ppl::__private::check_size(Self::__PPL_MODEL, #label, "columns", #name.cols(), #cols, #cols_text)?;
                });
            } else {
                out.extend(quote! {
                    ::ppl::__private::check_size(Self::__PPL_MODEL, #label, "length", #name.len(), #rows, #rows_text)?;
                    let __cols = #cols;
                    for (__i, __row) in #name.iter().enumerate() {
                        ::ppl::__private::check_size(Self::__PPL_MODEL, &format!("{}[{}]", #label, __i + 1), "length", __row.len(), __cols, #cols_text)?;
                    }
                });
            }
        }
        _ => {}
    }
    let bound = |expr: &Option<Expr>| match expr {
        Some(expr) => {
            quote_spanned!(expr.span()=> Some(::ppl::__private::DataValue::as_f64(&(#expr))))
        }
        None => quote!(None),
    };
    let index = field.kind == DataKind::IndexVec;
    if field.lower.is_some() || field.upper.is_some() || index {
        let lower = if index && field.lower.is_none() {
            quote!(Some(1.0))
        } else {
            bound(&field.lower)
        };
        let upper = bound(&field.upper);
        let check = quote!(::ppl::__private::check_bound(Self::__PPL_MODEL, __label, ::ppl::__private::DataValue::as_f64(__value), __lower, __upper)?;);
        let walk = match field.kind {
            DataKind::Real | DataKind::Int | DataKind::Count | DataKind::Bool => quote! {
                let __value = &#name;
                let __label = || #label.to_string();
                #check
            },
            DataKind::RealMatrix => quote! {
                for __i in 0..#name.rows() {
                    for __j in 0..#name.cols() {
                        let __value = &#name[(__i, __j)];
                        let __label = || format!("{}[{},{}]", #label, __i + 1, __j + 1);
                        #check
                    }
                }
            },
            DataKind::RealArray2 | DataKind::IntArray2 => quote! {
                for (__i, __row) in #name.iter().enumerate() {
                    for (__j, __value) in __row.iter().enumerate() {
                        let __label = || format!("{}[{},{}]", #label, __i + 1, __j + 1);
                        #check
                    }
                }
            },
            _ => quote! {
                for (__i, __value) in #name.iter().enumerate() {
                    let __label = || format!("{}[{}]", #label, __i + 1);
                    #check
                }
            },
        };
        out.extend(quote! {
            {
                let __lower: Option<f64> = #lower;
                let __upper: Option<f64> = #upper;
                #walk
            }
        });
    }
    if index {
        out.extend(quote! {
            let #name: ::std::vec::Vec<usize> = #name.into_iter().map(|__i| __i - 1).collect();
        });
    }
    out
}

/// Constrained dimensions of a parameter (`[]`, `[n]`, `[r, c]`, `[K, K]`).
fn param_dims(decl: &ParamDecl) -> TokenStream {
    let label = format!("parameter {}", decl.name);
    let sizes: Vec<TokenStream> = decl
        .sizes
        .iter()
        .map(|expr| {
            quote_spanned!(expr.span()=> ::ppl::__private::IntoSize::into_size(#expr, Self::__PPL_MODEL, #label)?)
        })
        .collect();
    match kind(decl) {
        ParamKind::Real => quote!(::std::vec::Vec::<usize>::new()),
        ParamKind::CholeskyCorr | ParamKind::CholeskyCov | ParamKind::CovMatrix => {
            let k = &sizes[0];
            quote!({ let __k = #k; vec![__k, __k] })
        }
        _ => quote!(vec![#(#sizes),*]),
    }
}

/// Number of unconstrained values of a parameter with constrained dimensions `dims`.
fn unconstrained_len(kind: ParamKind, dims: &TokenStream) -> TokenStream {
    match kind {
        ParamKind::Real => quote!(1usize),
        ParamKind::Matrix => quote!(#dims[0] * #dims[1]),
        ParamKind::Simplex => quote!(#dims[0].saturating_sub(1)),
        ParamKind::CholeskyCorr => quote!(#dims[0] * #dims[0].saturating_sub(1) / 2),
        // K(K + 1)/2: the diagonal (log scale) and the strict lower triangle.
        ParamKind::CholeskyCov | ParamKind::CovMatrix => quote!(#dims[0] * (#dims[0] + 1) / 2),
        _ => quote!(#dims[0]),
    }
}

fn constructor(model: &ModelInput) -> TokenStream {
    let args = model.fields.iter().map(|f| {
        let (name, ty) = (&f.name, &f.ty);
        if f.kind == DataKind::IndexVec {
            quote!(#name: ::std::vec::Vec<usize>)
        } else {
            quote!(#name: #ty)
        }
    });
    let checks = model.fields.iter().map(field_checks);
    let field_names: Vec<&Ident> = model.fields.iter().map(|f| &f.name).collect();
    let tdata: Vec<(&Ident, &Type, &Expr)> = model
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::TransformedData { name, ty, expr } => Some((name, ty, expr)),
            _ => None,
        })
        .collect();
    let tdata_names: Vec<&Ident> = tdata.iter().map(|(name, _, _)| *name).collect();
    let tdata_storage: Vec<Ident> = tdata_names.iter().map(|name| storage(name)).collect();
    let tdata_compute = tdata
        .iter()
        .zip(&tdata_storage)
        .map(|((name, ty, expr), store)| {
            let bind = typed_binding(name, ty, quote!(#store));
            quote_spanned! {expr.span()=>
                let #store: #ty = #expr;
                #bind
            }
        });
    let ref_fields = model
        .fields
        .iter()
        .map(|f| field_binding(f, TokenStream::new()));
    let ref_fields2 = ref_fields.clone();
    let tdata_refs = tdata
        .iter()
        .zip(&tdata_storage)
        .map(|((name, ty, _), store)| typed_binding(name, ty, quote!(#store)));
    let params = params(&model.body);
    let dims = params.iter().map(|decl| param_dims(decl));
    let size_checks = params.iter().enumerate().map(|(i, decl)| {
        let label = format!("parameter {}", decl.name);
        match kind(decl) {
            ParamKind::Simplex
            | ParamKind::Ordered
            | ParamKind::PositiveOrdered
            | ParamKind::CholeskyCorr
            | ParamKind::CholeskyCov
            | ParamKind::CovMatrix => quote! {
                if __dims[#i][0] == 0 {
                    return Err(::ppl::core::Error::Data {
                        model: Self::__PPL_MODEL,
                        field: format!("size of {}", #label),
                        message: "is 0, but must be at least 1".to_string(),
                    });
                }
            },
            _ => TokenStream::new(),
        }
    });
    let lens = params
        .iter()
        .enumerate()
        .map(|(i, decl)| unconstrained_len(kind(decl), &quote!(__dims[#i])));
    let has_derived = model
        .body
        .iter()
        .any(|stmt| matches!(stmt, Stmt::Derived { .. }));
    let derived = if has_derived {
        quote! {
            let mut __derived = ::std::vec::Vec::new();
            let __zeros = vec![0.0_f64; __dim];
            __model.__ppl_log_density::<f64>(&__zeros, false, false, None, None, Some(&mut __derived), None)?;
            __model.__ppl_derived_dims = __derived;
        }
    } else {
        TokenStream::new()
    };
    let doc = "Builds the model from its data, checking declared sizes and constraints.\n\n\
         Index data (`Vec<usize>`) are given 1-based, as in Stan JSON, and stored 0-based.\n\n\
         # Errors\n[`ppl::core::Error::Data`] naming the first field that fails a check; an \
         error of a transformed-data expression.";
    quote! {
        #[doc = #doc]
        pub fn new(#(#args),*) -> ::ppl::core::Result<Self> {
            #(#checks)*
            let (#(#tdata_storage,)*) = {
                // The model body's scope: the densities and the helpers.
                #[allow(unused_imports)]
                use ::ppl::core::dist::*;
                #[allow(unused_imports)]
                use ::ppl::core::{cumulative_sum, dot_product, dot_self, log_diff_exp, log_inv_logit_diff, log_mix, log_softmax, log_sum_exp, log_sum_exp2, softmax, Matrix, Real, Vector};
                #(#ref_fields)*
                #(#tdata_compute)*
                (#(#tdata_storage,)*)
            };
            let __dims: ::std::vec::Vec<::std::vec::Vec<usize>> = {
                #(#ref_fields2)*
                #(#tdata_refs)*
                vec![#(#dims),*]
            };
            #(#size_checks)*
            let __dim: usize = 0 #( + #lens )*;
            let mut __model = Self {
                #(#field_names,)*
                #(#tdata_names: #tdata_storage,)*
                __ppl_param_dims: __dims,
                __ppl_dim: __dim,
                __ppl_derived_dims: ::std::vec::Vec::new(),
                __ppl_gradient_mode: ::ppl::core::GradientMode::Auto,
            };
            #derived
            Ok(__model)
        }
    }
}

fn json_constructors(model: &ModelInput) -> TokenStream {
    let fields = model.fields.iter().map(|f| {
        let label = f.name.to_string();
        quote!(::ppl::__private::json_field(&__value, Self::__PPL_MODEL, #label)?)
    });
    quote! {
        /// Builds the model from Stan-style JSON data (an object with one entry per data field;
        /// matrices as lists of rows; integers as JSON integers; index data 1-based), then
        /// checks it as [`Self::new`] does.
        ///
        /// # Errors
        /// [`ppl::core::Error::Data`] for invalid JSON, a missing field, a value of the wrong
        /// type, or a failed data check.
        pub fn from_json(json: &str) -> ::ppl::core::Result<Self> {
            let __value = ::ppl::__private::parse_json(json, Self::__PPL_MODEL)?;
            Self::new(#(#fields),*)
        }

        /// [`Self::from_json`] on the contents of a file.
        ///
        /// # Errors
        /// [`ppl::core::Error::Data`] if the file cannot be read, or as [`Self::from_json`].
        pub fn from_json_file(path: impl ::std::convert::AsRef<::std::path::Path>) -> ::ppl::core::Result<Self> {
            let __text = ::ppl::__private::read_file(path.as_ref(), Self::__PPL_MODEL)?;
            Self::from_json(&__text)
        }
    }
}

/// `let __lower: S = …;` for each bound (`S` is `T` in the density, `f64` in `unconstrain`).
fn bound_lets(bounds: &Bounds, scalar: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for (slot, name) in [
        (&bounds.lower, "__lower"),
        (&bounds.upper, "__upper"),
        (&bounds.offset, "__offset"),
        (&bounds.multiplier, "__multiplier"),
    ] {
        if let Some((_, expr)) = slot {
            let var = Ident::new(name, Span::mixed_site());
            out.extend(quote_spanned! {expr.span()=>
                let #var: #scalar = ::ppl::__private::IntoReal::<#scalar>::into_real(#expr);
            });
        }
    }
    out
}

/// The transform applied to one element (`constrain = true`: `u -> x`, else `x -> u` as a
/// `Result<f64>`, which the caller names after the parameter).
fn element_transform(
    bounds: &Bounds,
    value: TokenStream,
    lj: &Ident,
    constrain: bool,
) -> TokenStream {
    let var = |name: &str| Ident::new(name, Span::mixed_site());
    let (lower, upper, offset, multiplier) = (
        var("__lower"),
        var("__upper"),
        var("__offset"),
        var("__multiplier"),
    );
    let tr = quote!(::ppl::core::transform);
    let zero = if constrain {
        quote!(T::constant(0.0))
    } else {
        quote!(0.0)
    };
    let one = if constrain {
        quote!(T::constant(1.0))
    } else {
        quote!(1.0)
    };
    let (has_lower, has_upper) = (bounds.lower.is_some(), bounds.upper.is_some());
    let (has_offset, has_multiplier) = (bounds.offset.is_some(), bounds.multiplier.is_some());
    if has_offset || has_multiplier {
        let offset = if has_offset { quote!(#offset) } else { zero };
        let multiplier = if has_multiplier {
            quote!(#multiplier)
        } else {
            one
        };
        return if constrain {
            quote!(#tr::offset_multiplier_constrain(#value, #offset, #multiplier, &mut #lj))
        } else {
            quote!(#tr::offset_multiplier_unconstrain(#value, #offset, #multiplier))
        };
    }
    match (has_lower, has_upper, constrain) {
        (true, true, true) => {
            quote!(#tr::lower_upper_bound_constrain(#value, #lower, #upper, &mut #lj))
        }
        (true, true, false) => quote!(#tr::lower_upper_bound_unconstrain(#value, #lower, #upper)),
        (true, false, true) => quote!(#tr::lower_bound_constrain(#value, #lower, &mut #lj)),
        (true, false, false) => quote!(#tr::lower_bound_unconstrain(#value, #lower)),
        (false, true, true) => quote!(#tr::upper_bound_constrain(#value, #upper, &mut #lj)),
        (false, true, false) => quote!(#tr::upper_bound_unconstrain(#value, #upper)),
        (false, false, true) => value,
        (false, false, false) => quote!(::ppl::core::Result::<f64>::Ok(#value)),
    }
}

/// `alpha + X * beta`, `X * beta + alpha` or `X * beta` with `X` one of `matrices`: the
/// intercept (if any), the matrix and the coefficients.
fn linear_predictor<'a>(
    expr: &'a Expr,
    matrices: &[Ident],
) -> Option<(Option<&'a Expr>, &'a Ident, &'a Expr)> {
    let product = |expr: &'a Expr| -> Option<(&'a Ident, &'a Expr)> {
        let Expr::Binary(binary) = strip_parens(expr) else {
            return None;
        };
        if !matches!(binary.op, syn::BinOp::Mul(_)) {
            return None;
        }
        let Expr::Path(path) = strip_parens(&binary.left) else {
            return None;
        };
        let ident = path.path.get_ident()?;
        matrices
            .contains(ident)
            .then_some((ident, binary.right.as_ref()))
    };
    if let Some((matrix, coefficients)) = product(expr) {
        return Some((None, matrix, coefficients));
    }
    let Expr::Binary(sum) = strip_parens(expr) else {
        return None;
    };
    if !matches!(sum.op, syn::BinOp::Add(_)) {
        return None;
    }
    if let Some((matrix, coefficients)) = product(&sum.right) {
        return Some((Some(sum.left.as_ref()), matrix, coefficients));
    }
    product(&sum.left)
        .map(|(matrix, coefficients)| (Some(sum.right.as_ref()), matrix, coefficients))
}

fn strip_parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(paren) => strip_parens(&paren.expr),
        other => other,
    }
}

/// The GLM density that computes `~ family(alpha + X * beta, …)` without forming `X * beta` in
/// the scalar type (Stan's `bernoulli_logit_glm`, `poisson_log_glm`, `normal_id_glm`): its
/// coefficient gradient is `Xᵀg` in `f64`. `None` when the statement is not of that shape.
fn glm_call(names: &Names, lhs: &TokenStream, dist: &DistCall) -> Option<TokenStream> {
    let GlmShape {
        function,
        intercept,
        matrix,
        coefficients,
        rest,
    } = glm_shape(names, dist)?;
    let function = Ident::new(function, dist.name.span());
    let intercept = match intercept {
        Some(alpha) => quote_spanned!(alpha.span()=> (#alpha).__ppl_operand()),
        None => quote!(0.0),
    };
    let coefficients = quote_spanned!(coefficients.span()=> (#coefficients).__ppl_operand());
    // The scale of `normal_id_glm` is passed as `Data` when it is data, as in `sample`.
    let rest = rest.map(|arg| {
        let operand = quote_spanned!(arg.span()=> (#arg).__ppl_operand());
        let operand = mark_data(names, true, arg, operand);
        quote!(, #operand)
    });
    Some(quote_spanned! {dist.name.span()=>
        ::ppl::core::dist::#function::<T>(#lhs, #matrix, #intercept, #coefficients #rest)?
    })
}

/// A `~` statement recognised as a GLM: the density to call and the parts of
/// `family(alpha + X * beta, rest)`.
struct GlmShape<'a> {
    function: &'static str,
    intercept: Option<&'a Expr>,
    matrix: &'a Ident,
    coefficients: &'a Expr,
    rest: Option<&'a Expr>,
}

/// The GLM shape of `dist`, if its family has a GLM form and its first argument is a linear
/// predictor over one of the model's data matrices.
fn glm_shape<'a>(names: &'a Names, dist: &'a DistCall) -> Option<GlmShape<'a>> {
    let (function, rest) = match (dist.name.to_string().as_str(), dist.args.len()) {
        ("bernoulli_logit", 1) => ("bernoulli_logit_glm_lupmf", None),
        ("poisson_log", 1) => ("poisson_log_glm_lupmf", None),
        ("normal", 2) => ("normal_id_glm_lupdf", dist.args.iter().nth(1)),
        _ => return None,
    };
    let (intercept, matrix, coefficients) =
        linear_predictor(dist.args.first()?, &names.glm_matrices)?;
    Some(GlmShape {
        function,
        intercept,
        matrix,
        coefficients,
        rest,
    })
}

/// Whether any `~` statement, at any depth, uses a GLM density (written as one, or recognised
/// by [`glm_shape`]): its intermediates then depend on few parameters each, and sparse tangents
/// are the faster gradient at any dimension (`docs/ad.md`).
fn uses_glm(names: &Names, body: &[Stmt]) -> bool {
    any_distribution(body, &|dist| {
        dist.name.to_string().ends_with("_glm") || glm_shape(names, dist).is_some()
    })
}

/// The arguments of a `~` statement as density operands: each borrowed or copied
/// (`(arg).__ppl_operand()`), or an `Affine` when it is one (see [`crate::affine`]).
fn arguments(names: &Names, dist: &DistCall) -> Vec<TokenStream> {
    dist.args
        .iter()
        .enumerate()
        .map(|(position, arg)| {
            affine_argument(&names.affine, dist, position, arg)
                .unwrap_or_else(|| quote_spanned!(arg.span()=> (#arg).__ppl_operand()))
        })
        .collect()
}

/// A `~` statement: `target += family_lupdf::<T>(lhs, args…)?`.
fn sample(names: &Names, lhs_expr: &Expr, dist: &DistCall) -> TokenStream {
    let lhs_span = lhs_expr.span();
    let lhs = &quote!(#lhs_expr);
    let family = ppl_core::dist::family(&dist.name.to_string());
    let function = match family {
        Some(info) => Ident::new(info.log_density_propto, dist.name.span()),
        None => format_ident!("{}_lupdf", dist.name, span = dist.name.span()),
    };
    // Data operands of a family's scalar and vector arguments are passed as `Data`, so the
    // unnormalised density drops the terms that depend on data alone, as Stan's `~` does; so is
    // a data left side of a continuous univariate family, and a data matrix where a family
    // takes a matrix (`multi_normal`'s covariance, `multi_normal_cholesky`'s factor,
    // `lkj_corr_cholesky`'s variate).
    let operands = family.is_some_and(|info| info.accepts_data_arguments());
    let args = arguments(names, dist)
        .into_iter()
        .zip(&dist.args)
        .enumerate()
        .map(|(position, (operand, arg))| {
            let matrix = family.is_some_and(|info| {
                matches!(
                    info.args.get(position),
                    Some(&("covariance" | "cholesky_factor"))
                )
            });
            if matrix {
                mark_data_matrix(names, arg, operand)
            } else {
                mark_data(names, operands, arg, operand)
            }
        })
        .collect::<Vec<_>>();
    let continuous =
        family.is_some_and(|info| info.support.is_univariate() && !info.support.is_discrete());
    let lhs = quote_spanned!(lhs_span=> (#lhs).__ppl_operand());
    let lhs = if family.is_some_and(|info| info.support == SupportKind::CholeskyCorr) {
        mark_data_matrix(names, lhs_expr, lhs)
    } else {
        mark_data(names, continuous, lhs_expr, lhs)
    };
    let Names {
        target, density, ..
    } = names;
    let site = predictive_site(names, lhs_expr, dist);
    let density_call = glm_call(names, &lhs, dist).unwrap_or_else(
        || quote_spanned!(dist.name.span()=> ::ppl::core::dist::#function::<T>(#lhs, #(#args),*)?),
    );
    quote_spanned! {dist.name.span()=>
        if #density {
            #target += #density_call;
        }
        #site
    }
}

/// `Data(operand)` when `expr` is data whatever the scalar type and `allowed` (the family takes
/// it as a plain `Operand`); the operand unchanged otherwise.
fn mark_data(names: &Names, allowed: bool, expr: &Expr, operand: TokenStream) -> TokenStream {
    if allowed && data_operand(names, expr) {
        quote_spanned!(expr.span()=> ::ppl::core::Data(#operand))
    } else {
        operand
    }
}

/// `Data(operand)` when `expr` names a real data matrix that no statement rebinds (see
/// [`data_operand`]), for an argument the family takes as a `MatrixOperand`; the operand
/// unchanged otherwise.
fn mark_data_matrix(names: &Names, expr: &Expr, operand: TokenStream) -> TokenStream {
    if real_data_kind(names, strip_parens(expr)) == Some(DataKind::RealMatrix) {
        quote_spanned!(expr.span()=> ::ppl::core::Data(#operand))
    } else {
        operand
    }
}

/// The kind of the real data (see [`Names::real_data`]) that `expr` names, if it is a plain name.
fn real_data_kind(names: &Names, expr: &Expr) -> Option<DataKind> {
    let Expr::Path(path) = expr else {
        return None;
    };
    let ident = path.path.get_ident()?;
    names
        .real_data
        .iter()
        .find(|(name, _)| name == ident)
        .map(|(_, kind)| *kind)
}

/// Whether a `~` operand is known to be data: a float literal (`5.0`, `-1.5`), real data that
/// no statement rebinds (a field, or transformed data declared `f64`, `Vec<f64>` or
/// `Matrix<f64>`: `sigma`), or an element of a real vector one (`sigma[j]`). Anything else
/// (integer literals, expressions, locals) is left as it is: dropping fewer terms is always
/// correct.
fn data_operand(names: &Names, expr: &Expr) -> bool {
    // Matrices are marked only where a family takes a matrix (see `mark_data_matrix`): the
    // GLMs take their data `x` as a plain `&Matrix<f64>`.
    let is_field = |expr: &Expr, vector: bool| match real_data_kind(names, expr) {
        Some(DataKind::RealVec) => true,
        Some(DataKind::Real) => !vector,
        _ => false,
    };
    match expr {
        Expr::Paren(paren) => data_operand(names, &paren.expr),
        Expr::Lit(literal) => matches!(literal.lit, syn::Lit::Float(_)),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Neg(_)) => {
            matches!(&*unary.expr, Expr::Lit(literal) if matches!(literal.lit, syn::Lit::Float(_)))
        }
        Expr::Path(_) => is_field(expr, false),
        Expr::Index(index) => is_field(&index.expr, true),
        _ => false,
    }
}

/// The root variable of a `~` left side and its index expression: `y` → `(y, None)`,
/// `y[n]` → `(y, Some(n))`; `None` for any other form.
fn site_root(lhs: &Expr) -> Option<(&Ident, Option<&Expr>)> {
    match lhs {
        Expr::Paren(paren) => site_root(&paren.expr),
        Expr::Path(path) => path.path.get_ident().map(|ident| (ident, None)),
        Expr::Index(index) => match &*index.expr {
            Expr::Path(path) if path.path.get_ident().is_some() => {
                Some((path.path.get_ident()?, Some(&*index.index)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The innermost variable a left side starts from (`y` in `y[i][j]` or `y.column(1)`).
fn lhs_base(lhs: &Expr) -> Option<&Ident> {
    match lhs {
        Expr::Paren(inner) => lhs_base(&inner.expr),
        Expr::Path(path) => path.path.get_ident(),
        Expr::Index(index) => lhs_base(&index.expr),
        Expr::MethodCall(call) => lhs_base(&call.receiver),
        Expr::Field(field) => lhs_base(&field.base),
        Expr::Reference(reference) => lhs_base(&reference.expr),
        _ => None,
    }
}

/// The predictive-mode code of a `~` statement: hands the family, its arguments in `f64` and
/// the flat range of the left side to the `PredictiveState` when it wants this site. Left
/// sides that are neither data nor a parameter (expressions) are skipped, like `target +=`.
fn predictive_site(names: &Names, lhs: &Expr, dist: &DistCall) -> TokenStream {
    let support = quote!(::ppl::core::__predictive_support);
    let predict = &names.predict;
    let label = quote!(#lhs)
        .to_string()
        .replace(" [", "[")
        .replace("[ ", "[")
        .replace(" ]", "]");
    let family = dist.name.to_string();
    let Some(base) = lhs_base(lhs) else {
        return TokenStream::new();
    };
    let root = site_root(lhs);
    let args = arguments(names, dist)
        .into_iter()
        .map(|arg| quote_spanned!(arg.span()=> #support::IntoSiteArg::into_site_arg(#arg)));
    let unsupported = quote!(return Err(#support::unsupported_site(#label)););
    // Whether `base[index]` is one flat element (vectors), rather than a row or a matrix entry.
    let mut flat_index = true;
    // Whether the whole variable is a supported left side (not a matrix or array of data).
    let mut whole = true;
    let (target, total, bounds) = if let Some(field_index) =
        names.observed.iter().position(|(name, _)| name == base)
    {
        let (name, data_kind) = &names.observed[field_index];
        let total = match data_kind {
            DataKind::RealVec | DataKind::IntVec => quote!(self.#name.len()),
            DataKind::Real | DataKind::Int => quote!(1usize),
            _ => {
                flat_index = false;
                whole = false;
                TokenStream::new()
            }
        };
        (
            quote!(#support::SiteTarget::Observed(#field_index)),
            total,
            quote!(#support::SiteBounds::default()),
        )
    } else if let Some((_, index, param_kind, param_bounds)) =
        names.params.iter().find(|(name, ..)| name == base)
    {
        let bound = |slot: &Option<(Ident, Expr)>| match slot {
            Some((_, expr)) => quote_spanned!(expr.span()=> Some(::ppl::core::Real::value(
                &::ppl::__private::IntoReal::<T>::into_real(#expr)))),
            None => quote!(None),
        };
        let (lower, upper) = if param_bounds.offset.is_some() || param_bounds.multiplier.is_some() {
            (quote!(None), quote!(None))
        } else {
            (bound(&param_bounds.lower), bound(&param_bounds.upper))
        };
        let ordered = matches!(param_kind, ParamKind::Ordered | ParamKind::PositiveOrdered);
        flat_index = !matches!(param_kind, ParamKind::Matrix)
            && param_kind.square_matrix_transform().is_none();
        (
            quote!(#support::SiteTarget::Param(#index)),
            quote!(self.__ppl_param_dims[#index].iter().product::<usize>()),
            quote!(#support::SiteBounds { lower: #lower, upper: #upper, ordered: #ordered }),
        )
    } else if names.other_data.iter().any(|name| name == base) {
        return quote! {
            if let Some(__p) = #predict.as_deref_mut() {
                if __p.is_observed_mode() {
                    #unsupported
                }
            }
        };
    } else {
        return TokenStream::new();
    };
    let range = match root {
        Some((_, None)) if whole => Some(quote!((0usize, #total))),
        Some((_, Some(index))) if flat_index => {
            Some(quote_spanned!(index.span()=> #support::SiteIndex::site_range(&(#index), #total)))
        }
        _ => None,
    };
    let Some(range) = range else {
        return quote! {
            if let Some(__p) = #predict.as_deref_mut() {
                if __p.wants(#target) {
                    #unsupported
                }
            }
        };
    };
    quote! {
        if let Some(__p) = #predict.as_deref_mut() {
            if __p.wants(#target) {
                let (__offset, __len): (usize, usize) = #range;
                let __args = [#(#args),*];
                __p.site(#target, #label, __offset, __len, #family, &__args, #bounds)?;
            }
        }
    }
}

/// The constrain code of one parameter declaration (and its prior), binding its name.
fn declare(names: &Names, decl: &ParamDecl, index: usize) -> TokenStream {
    let Names {
        u,
        pos,
        log_jacobian: lj,
        params_out,
        ..
    } = names;
    let name = &decl.name;
    let store = storage(name);
    let dims = quote!(self.__ppl_param_dims[#index]);
    let scalar = quote!(T);
    let lets = bound_lets(&decl.bounds, &scalar);
    let tr = quote!(::ppl::core::transform);
    let element = |value: TokenStream| element_transform(&decl.bounds, value, lj, true);
    let bind = match kind(decl) {
        ParamKind::Real => {
            let value = element(quote!(#u[#pos]));
            quote! {
                let #name: T = { #lets let __x = #value; #pos += 1; __x };
            }
        }
        ParamKind::Vector if decl.bounds.is_empty() => quote! {
            // No transform: the elements are the unconstrained values, copied in one go.
            let #store: ::ppl::core::Vector<T> = {
                let __n = #dims[0];
                let __x = ::ppl::core::Vector::new(#u[#pos..#pos + __n].to_vec());
                #pos += __n;
                __x
            };
            let #name = &#store;
        },
        ParamKind::Vector => {
            let value = element(quote!(#u[#pos]));
            quote! {
                let #store: ::ppl::core::Vector<T> = {
                    #lets
                    let __n = #dims[0];
                    let mut __values = ::std::vec::Vec::with_capacity(__n);
                    for _ in 0..__n {
                        __values.push(#value);
                        #pos += 1;
                    }
                    ::ppl::core::Vector::new(__values)
                };
                let #name = &#store;
            }
        }
        ParamKind::Matrix => {
            let value = element(quote!(#u[#pos]));
            quote! {
                let #store: ::ppl::core::Matrix<T> = {
                    #lets
                    let (__rows, __cols) = (#dims[0], #dims[1]);
                    let mut __m = ::ppl::core::Matrix::filled(__rows, __cols, T::constant(0.0));
                    for __j in 0..__cols {
                        for __i in 0..__rows {
                            __m[(__i, __j)] = #value;
                            #pos += 1;
                        }
                    }
                    __m
                };
                let #name = &#store;
            }
        }
        kind @ (ParamKind::Simplex | ParamKind::Ordered | ParamKind::PositiveOrdered) => {
            let function = match kind {
                ParamKind::Simplex => quote!(#tr::simplex_constrain),
                ParamKind::Ordered => quote!(#tr::ordered_constrain),
                _ => quote!(#tr::positive_ordered_constrain),
            };
            let len = unconstrained_len(kind, &dims);
            quote! {
                let #store: ::ppl::core::Vector<T> = {
                    let __len = #len;
                    let __x = #function(&#u[#pos..#pos + __len], &mut #lj);
                    #pos += __len;
                    ::ppl::core::Vector::new(__x)
                };
                let #name = &#store;
            }
        }
        kind @ (ParamKind::CholeskyCorr | ParamKind::CholeskyCov | ParamKind::CovMatrix) => {
            let len = unconstrained_len(kind, &dims);
            let function = square_matrix_function(kind, "constrain");
            quote! {
                let #store: ::ppl::core::Matrix<T> = {
                    let __len = #len;
                    let __x = #function(&#u[#pos..#pos + __len], #dims[0], &mut #lj)?;
                    #pos += __len;
                    __x
                };
                let #name = &#store;
            }
        }
    };
    let prior = decl
        .prior
        .as_ref()
        .map(|dist| {
            let lhs: Expr = syn::parse_quote_spanned!(name.span()=> #name);
            sample(names, &lhs, dist)
        })
        .unwrap_or_default();
    quote! {
        #bind
        if let Some(__out) = #params_out.as_deref_mut() {
            (#name).__ppl_write(__out);
        }
        #prior
    }
}

fn stmts(names: &Names, body: &[Stmt], index: &mut usize) -> TokenStream {
    body.iter()
        .map(|stmt| statement(names, stmt, index))
        .collect()
}

fn statement(names: &Names, stmt: &Stmt, index: &mut usize) -> TokenStream {
    match stmt {
        Stmt::Param(decl) => {
            let out = declare(names, decl, *index);
            *index += 1;
            out
        }
        Stmt::Sample { lhs, dist, .. } => sample(names, lhs, dist),
        Stmt::Target { target, expr } => {
            let Names {
                target: accumulator,
                density,
                ..
            } = names;
            // `f(…)?` is annotated with the model's scalar so that a generic density
            // (`normal_lpdf(y, mu, sigma)?`) infers it; anything else goes through
            // `IntoTerm` (a scalar, data `f64`, or a `Result` without `?`).
            let term = if let Expr::Try(_) = expr {
                let value = Ident::new("__term", Span::mixed_site());
                quote_spanned!(expr.span()=> { let #value: T = #expr; #value })
            } else {
                quote_spanned!(expr.span()=> ::ppl::__private::IntoTerm::<T>::into_term(#expr)?)
            };
            quote_spanned! {target.span()=>
                if #density {
                    #accumulator += #term;
                }
            }
        }
        Stmt::Let(local) => {
            affine::lazy_let(&names.affine, local).unwrap_or_else(|| quote!(#local))
        }
        Stmt::Derived { name, expr } => {
            let store = storage(name);
            let Names {
                derived_out,
                derived_dims,
                ..
            } = names;
            quote! {
                let #store = #expr;
                if let Some(__out) = #derived_out.as_deref_mut() {
                    (#store).__ppl_write(__out);
                }
                if let Some(__dims) = #derived_dims.as_deref_mut() {
                    __dims.push((#store).__ppl_dims());
                }
                let #name = (#store).__ppl_operand();
            }
        }
        Stmt::TransformedData { .. } => TokenStream::new(),
        Stmt::For {
            for_token,
            pat,
            iter,
            body,
        } => {
            let body = stmts(names, body, index);
            quote_spanned!(for_token.span=> #for_token #pat in #iter { #body })
        }
        Stmt::While {
            while_token,
            cond,
            body,
        } => {
            let body = stmts(names, body, index);
            quote!(#while_token #cond { #body })
        }
        Stmt::If {
            if_token,
            cond,
            then,
            otherwise,
        } => {
            let then = stmts(names, then, index);
            let otherwise = otherwise.as_ref().map(|body| {
                let body = stmts(names, body, index);
                quote!(else { #body })
            });
            quote!(#if_token #cond { #then } #otherwise)
        }
        Stmt::Block(body) => {
            let body = stmts(names, body, index);
            quote!({ #body })
        }
        Stmt::Expr(expr) => quote!(#expr;),
    }
}

fn log_density(model: &ModelInput, names: &Names) -> TokenStream {
    let Names {
        u,
        pos,
        log_jacobian,
        target,
        jacobian,
        density,
        params_out,
        derived_out,
        derived_dims,
        predict,
        ..
    } = names;
    let bindings = data_bindings(model, &quote!(self));
    let mut index = 0;
    let body = stmts(names, &model.body, &mut index);
    let where_clauses = where_clauses();
    quote! {
        /// The log-density on the unconstrained scale, generic over the scalar; in constrain
        /// mode (`density = false`) only transforms and derived quantities are evaluated.
        #[allow(clippy::too_many_arguments)]
        fn __ppl_log_density<T: ::ppl::core::Real>(
            &self,
            #u: &[T],
            #jacobian: bool,
            #density: bool,
            mut #params_out: Option<&mut ::std::vec::Vec<f64>>,
            mut #derived_out: Option<&mut ::std::vec::Vec<f64>>,
            mut #derived_dims: Option<&mut ::std::vec::Vec<::std::vec::Vec<usize>>>,
            mut #predict: Option<&mut ::ppl::core::__predictive_support::PredictiveState<'_>>,
        ) -> ::ppl::core::Result<T>
        where
            #where_clauses
        {
            #[allow(unused_imports)]
            use ::ppl::core::dist::*;
            #[allow(unused_imports)]
            use ::ppl::core::{cumulative_sum, dot_product, dot_self, log_diff_exp, log_inv_logit_diff, log_mix, log_softmax, log_sum_exp, log_sum_exp2, softmax, Matrix, Real, Vector};
            #[allow(unused_imports)]
            use ::ppl::__private::{AsOperand as _, OutputValue as _};
            if #u.len() != self.__ppl_dim {
                return Err(::ppl::core::Error::size_mismatch(
                    Self::__PPL_MODEL, "unconstrained parameters", #u.len(), self.__ppl_dim,
                ));
            }
            let mut #target = T::accumulator();
            let mut #log_jacobian = T::accumulator();
            let mut #pos: usize = 0;
            #bindings
            #body
            if #jacobian {
                #target += #log_jacobian;
            }
            Ok(#target)
        }
    }
}

fn unconstrain(model: &ModelInput, names: &Names) -> TokenStream {
    let Names {
        constrained,
        input,
        output,
        log_jacobian: lj,
        ..
    } = names;
    let bindings = data_bindings(model, &quote!(self));
    let tr = quote!(::ppl::core::transform);
    let scalar = quote!(f64);
    // A transform's error names the parameter (`lower_bound: sigma is -1, …`), as Stan's
    // "Error transforming variable sigma".
    let named = quote!(::ppl::__private::name_transform_error);
    let per_param = params(&model.body).into_iter().enumerate().map(|(index, decl)| {
        let name = &decl.name;
        let label = name.to_string();
        let store = storage(name);
        let dims = quote!(self.__ppl_param_dims[#index]);
        let lets = bound_lets(&decl.bounds, &scalar);
        let element = |value: TokenStream| element_transform(&decl.bounds, value, lj, false);
        match kind(decl) {
            ParamKind::Real => {
                let value = element(quote!(#name));
                quote! {
                    let #name: f64 = #constrained[#input];
                    #input += 1;
                    { #lets #output.push(#named(#value, #label, &[])?); }
                }
            }
            ParamKind::Vector => {
                let value = element(quote!(*__x));
                quote! {
                    let #store = ::ppl::core::Vector::new(#constrained[#input..#input + #dims[0]].to_vec());
                    #input += #dims[0];
                    let #name = &#store;
                    {
                        #lets
                        for (__i, __x) in #name.iter().enumerate() {
                            #output.push(#named(#value, #label, &[__i])?);
                        }
                    }
                }
            }
            ParamKind::Matrix => {
                let value = element(quote!(#store[(__i, __j)]));
                quote! {
                    let (__rows, __cols) = (#dims[0], #dims[1]);
                    let mut #store = ::ppl::core::Matrix::filled(__rows, __cols, 0.0_f64);
                    for __j in 0..__cols {
                        for __i in 0..__rows {
                            #store[(__i, __j)] = #constrained[#input];
                            #input += 1;
                        }
                    }
                    {
                        #lets
                        for __j in 0..__cols {
                            for __i in 0..__rows {
                                #output.push(#named(#value, #label, &[__i, __j])?);
                            }
                        }
                    }
                    let #name = &#store;
                }
            }
            kind @ (ParamKind::Simplex | ParamKind::Ordered | ParamKind::PositiveOrdered) => {
                let function = match kind {
                    ParamKind::Simplex => quote!(#tr::simplex_unconstrain),
                    ParamKind::Ordered => quote!(#tr::ordered_unconstrain),
                    _ => quote!(#tr::positive_ordered_unconstrain),
                };
                quote! {
                    let #store = ::ppl::core::Vector::new(#constrained[#input..#input + #dims[0]].to_vec());
                    #input += #dims[0];
                    #output.extend(#named(#function(&#store), #label, &[])?);
                    let #name = &#store;
                }
            }
            kind @ (ParamKind::CholeskyCorr | ParamKind::CholeskyCov | ParamKind::CovMatrix) => {
                let function = square_matrix_function(kind, "unconstrain");
                quote! {
                let __k = #dims[0];
                let mut #store = ::ppl::core::Matrix::filled(__k, __k, 0.0_f64);
                for __j in 0..__k {
                    for __i in 0..__k {
                        #store[(__i, __j)] = #constrained[#input];
                        #input += 1;
                    }
                }
                #output.extend(#named(#function(&#store), #label, &[])?);
                let #name = &#store;
            }
            }
        }
    });
    quote! {
        /// Constrained parameter values (in `param_names` order) to the unconstrained vector.
        fn __ppl_unconstrain(&self, #constrained: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
            #[allow(unused_imports)]
            use ::ppl::core::Real;
            let __needed: usize = self.__ppl_param_dims.iter().map(|d| d.iter().product::<usize>()).sum();
            if #constrained.len() < __needed {
                return Err(::ppl::core::Error::size_mismatch(
                    Self::__PPL_MODEL, "constrained parameters", #constrained.len(), __needed,
                ));
            }
            let mut #input: usize = 0;
            let mut #output: ::std::vec::Vec<f64> = ::std::vec::Vec::with_capacity(self.__ppl_dim);
            #bindings
            #(#per_param)*
            Ok(#output)
        }
    }
}

/// What is emitted next to a compile error: the struct and inert impls, so that user code
/// naming the model reports no further errors.
pub(crate) fn stub(model: &ModelInput) -> TokenStream {
    let struct_def = struct_definition(model, false);
    let name = &model.name;
    let args = model.fields.iter().map(|f| {
        let ty = &f.ty;
        quote!(_: #ty)
    });
    quote! {
        #[allow(dead_code)]
        #struct_def

        #[allow(dead_code, clippy::all)]
        impl #name {
            /// Unavailable: the model has a compile error.
            pub fn new(#(#args),*) -> ::ppl::core::Result<Self> {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn from_json(_: &str) -> ::ppl::core::Result<Self> {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn from_json_file(_: impl ::std::convert::AsRef<::std::path::Path>) -> ::ppl::core::Result<Self> {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn dim(&self) -> usize {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn param_names(&self) -> ::std::vec::Vec<::std::string::String> {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn constrain(&self, _: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                unimplemented!("model! reported a compile error")
            }
            /// Unavailable: the model has a compile error.
            pub fn unconstrain(&self, _: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                unimplemented!("model! reported a compile error")
            }
        }

        impl ::ppl::core::Model for #name {
            fn dim(&self) -> usize {
                unimplemented!("model! reported a compile error")
            }
            fn log_density_f64(&self, _: &[f64], _: bool) -> ::ppl::core::Result<f64> {
                unimplemented!("model! reported a compile error")
            }
            fn log_density_dual<const __N: usize>(
                &self,
                _: &[::ppl::core::Dual<__N>],
                _: bool,
            ) -> ::ppl::core::Result<::ppl::core::Dual<__N>> {
                unimplemented!("model! reported a compile error")
            }
            fn log_density_sparse(
                &self,
                _: &[::ppl::core::SparseDual<{ ::ppl::core::SPARSE_CAPACITY }>],
                _: bool,
            ) -> ::ppl::core::Result<::ppl::core::SparseDual<{ ::ppl::core::SPARSE_CAPACITY }>> {
                unimplemented!("model! reported a compile error")
            }
            fn param_names(&self) -> ::std::vec::Vec<::std::string::String> {
                unimplemented!("model! reported a compile error")
            }
            fn constrain(&self, _: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                unimplemented!("model! reported a compile error")
            }
            fn unconstrain(&self, _: &[f64]) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                unimplemented!("model! reported a compile error")
            }
        }

        impl ::ppl::core::Predictive for #name {
            fn observed_names(&self) -> ::std::vec::Vec<::std::string::String> {
                unimplemented!("model! reported a compile error")
            }
            fn simulate_observed(
                &self,
                _: &[f64],
                _: &mut dyn ::ppl::core::__predictive_support::RngCore,
            ) -> ::ppl::core::Result<::std::vec::Vec<f64>> {
                unimplemented!("model! reported a compile error")
            }
            fn observed_moments(
                &self,
                _: &[f64],
            ) -> ::ppl::core::Result<(::std::vec::Vec<f64>, ::std::vec::Vec<f64>)> {
                unimplemented!("model! reported a compile error")
            }
            fn simulate_prior(
                &self,
                _: &mut dyn ::ppl::core::__predictive_support::RngCore,
            ) -> ::ppl::core::Result<(::std::vec::Vec<f64>, ::std::vec::Vec<f64>)> {
                unimplemented!("model! reported a compile error")
            }
        }
    }
}
