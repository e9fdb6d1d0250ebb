//! "Remember this device?" after MFA on a pool whose DeviceConfiguration
//! has DeviceOnlyRememberedOnUserPrompt: two buttons of one form, so the
//! choice needs no JavaScript.

use leptos::prelude::*;

use super::{BUTTON, BUTTON_SECONDARY, FormContext, FormErrors, NOTICE, form, render_page};

pub fn render(ctx: &FormContext, errors: FormErrors) -> String {
    let lang = ctx.lang;
    let fields = view! {
        <p class=NOTICE>{lang.t("remember_device.intro")}</p>
        <button type="submit" name="remember" value="yes" class=BUTTON>
            {lang.t("remember_device.remember")}
        </button>
        <button type="submit" name="remember" value="no" class=BUTTON_SECONDARY>
            {lang.t("remember_device.skip")}
        </button>
    }
    .into_any();
    let form = form(ctx, &errors, fields);
    render_page(ctx, lang.t("remember_device.title").to_owned(), move || {
        form
    })
}
