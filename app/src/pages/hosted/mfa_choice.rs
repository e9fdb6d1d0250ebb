//! MFA choice (SELECT_MFA_TYPE): which of the user's factors to use now.

use leptos::prelude::*;

use super::{FIELD_ERROR, FormContext, FormErrors, MfaFactor, form, render_page, submit};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MfaChoiceProps {
    /// The factors to offer, in this order; the first is preselected.
    pub factors: Vec<MfaFactor>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: MfaChoiceProps) -> String {
    let lang = ctx.lang;
    let MfaChoiceProps { factors, errors } = props;
    let error = errors.fields.get("factor").cloned();
    let described_by = error.is_some().then_some("factor-error");
    let options = factors
        .into_iter()
        .enumerate()
        .map(|(i, factor)| {
            let id = format!("factor-{}", factor.wire_name());
            view! {
                <div class="mt-3 flex items-center gap-3">
                    <input
                        type="radio"
                        id=id.clone()
                        name="factor"
                        value=factor.wire_name()
                        checked=i == 0
                        required=true
                        class="h-5 w-5 accent-[var(--accent)]"
                    />
                    <label for=id>{lang.t(factor.label_key())}</label>
                </div>
            }
        })
        .collect_view();
    let fields = view! {
        <fieldset id="factor" class="mt-4" aria-describedby=described_by>
            <legend class="font-semibold">{lang.t("mfa_choice.legend")}</legend>
            {error.map(|e| view! {
                <p id="factor-error" class=FIELD_ERROR>
                    <span class="sr-only">{lang.t("form.error_prefix")} " "</span>
                    {e}
                </p>
            })}
            {options}
        </fieldset>
        {submit(lang.t("mfa_choice.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("mfa_choice.title").to_owned(), move || form)
}
