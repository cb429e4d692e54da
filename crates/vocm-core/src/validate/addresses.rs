//! Addresses are known by their fields: the API keeps one address for
//! equal fields (posting an equal one answers the existing one), so two
//! manifest addresses with the same fields would be one.

use rustc_hash::FxHashMap as HashMap;

use super::ctx::{Ctx, loc};
use crate::account::identity::address_identity;
use crate::diagnostics::{Code, Diagnostic};

pub fn check(ctx: &mut Ctx<'_>) {
    let mut first: HashMap<String, (&str, crate::model::Origin)> = HashMap::default();
    for (k, e) in &ctx.m.addresses {
        let identity = address_identity(&e.value);
        if let Some((one, origin)) = first.get(&identity) {
            let (f1, s1) = ctx.key(*origin, loc!["addresses", *one]);
            let (f2, s2) = ctx.key(e.origin, loc!["addresses", k]);
            ctx.out.push(
                Diagnostic::error(
                    Code::AddressDuplicate,
                    format!("addresses.{one} and addresses.{k} have the same fields"),
                )
                .at(f2, s2, "the same address again")
                .related(f1, s1, "first defined here")
                .help(format!(
                    "the API knows an address by its fields, so both would be one: keep `{one}` and point what uses `{k}` at it"
                )),
            );
        } else {
            first.insert(identity, (k, e.origin));
        }
    }
}
