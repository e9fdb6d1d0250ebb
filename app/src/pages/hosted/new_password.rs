//! New password required (FORCE_CHANGE_PASSWORD): a new password, and the
//! required attributes the user does not have yet.

use leptos::prelude::*;

use super::{
    AttributeField, FormContext, FormErrors, NOTICE, PasswordPolicy, form, new_password_field,
    render_page, submit,
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewPasswordProps {
    pub policy: PasswordPolicy,
    /// Required attributes the user lacks, one `attr.<name>` input each.
    pub attributes: Vec<AttributeField>,
    pub errors: FormErrors,
}

pub fn render(ctx: &FormContext, props: NewPasswordProps) -> String {
    let lang = ctx.lang;
    let NewPasswordProps {
        policy,
        attributes,
        errors,
    } = props;
    let attribute_fields = (!attributes.is_empty()).then(|| {
        let inputs = attributes
            .iter()
            .map(|a| a.view(lang, &errors))
            .collect_view();
        view! {
            <fieldset class="mt-6">
                <legend class="font-semibold">{lang.t("new_password.attributes")}</legend>
                {inputs}
            </fieldset>
        }
    });
    let fields = view! {
        <p class=NOTICE>{lang.t("new_password.intro")}</p>
        {new_password_field(lang, "field.new_password", &policy, &errors)}
        {attribute_fields}
        {submit(lang.t("new_password.submit"))}
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("new_password.title").to_owned(), move || form)
}
