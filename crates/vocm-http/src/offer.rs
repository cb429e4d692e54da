//! What the server offers beyond the reference, asked once per run: `GET
//! /vocm` *(extension)* lists the extension collections it serves and
//! whether it implements user updates. A `404` there is a server that
//! serves the reference only (the real Administration API): vocm then
//! never reads nor writes an extension path, and says what it cannot
//! manage ([`HttpProvider::capabilities`]).

use std::collections::BTreeMap;

use reqwest::Method;

use vocm_api::{Collection, DISCOVERY_MEDIA_TYPE, DISCOVERY_PATH, Discovery};
use vocm_core::account::Kind;
use vocm_core::diagnostics::Code;
use vocm_core::provider::{Capabilities, Field, ProviderError, Support};

use crate::HttpProvider;
use crate::client::Failure;

/// What a server offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Offer {
    /// Extension collections it serves.
    pub(crate) extensions: Vec<Collection>,
    /// Whether `PUT /users/{id}` works.
    pub(crate) user_updates: bool,
}

impl Offer {
    /// Whether the server serves collection `c`.
    pub(crate) fn has(&self, c: Collection) -> bool {
        c.is_reference() || self.extensions.contains(&c)
    }

    /// Collections read on every read of the account.
    pub(crate) fn reads(&self) -> Vec<Collection> {
        Collection::ALL
            .into_iter()
            .filter(|c| *c != Collection::NumberClaims && self.has(*c))
            .collect()
    }

    pub(crate) fn capabilities(&self, endpoint: &str) -> Capabilities {
        let reference_only = self.extensions.is_empty();
        let name = if reference_only {
            format!("the Administration API at {endpoint} (reference only)")
        } else {
            format!("the API at {endpoint}")
        };
        let mut kinds = BTreeMap::new();
        for kind in [
            Kind::Address,
            Kind::Site,
            Kind::RingGroup,
            Kind::PhoneNumber,
        ] {
            kinds.insert(kind, Support::Managed { update: true });
        }
        kinds.insert(
            Kind::User,
            Support::Managed {
                update: self.user_updates,
            },
        );
        kinds.insert(
            Kind::Account,
            if self.has(Collection::Account) {
                Support::Managed { update: true }
            } else {
                Support::ManifestOnly
            },
        );
        for (c, kind) in [
            (Collection::Devices, Kind::Device),
            (Collection::AudioFiles, Kind::AudioFile),
            (Collection::AutoAttendants, Kind::AutoAttendant),
        ] {
            if self.has(c) {
                kinds.insert(kind, Support::Managed { update: true });
            }
        }
        let mut uncarried = vec![Field::SiteExtensionRange];
        if !self.has(Collection::Extras) {
            uncarried.extend([
                Field::UserForwarding,
                Field::UserInternetFax,
                Field::UserCrm,
                Field::RingGroupNoAnswerDelay,
                Field::NumberUsage,
            ]);
        }
        if !self.has(Collection::Devices) {
            uncarried.push(Field::UserDevices);
        }
        if !self.has(Collection::AudioFiles) {
            uncarried.push(Field::UserMusicOnHold);
        }
        Capabilities {
            name,
            kinds,
            uncarried,
            claims: self.has(Collection::NumberClaims),
            // A user's key is its `userName`, which the API cannot change.
            fixed_keys: vec![Kind::User],
        }
    }
}

impl HttpProvider {
    /// Forgets an extension the server listed but answers `404` for.
    pub(crate) fn withdraw(&self, c: Collection) {
        if let Some(o) = self
            .offer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
        {
            o.extensions.retain(|e| *e != c);
        }
    }

    /// What the server offers: asked once, then remembered.
    pub(crate) fn offer(&self) -> Result<Offer, ProviderError> {
        let mut known = self
            .offer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(o) = &*known {
            return Ok(o.clone());
        }
        let offer = match self.client.idempotent(
            &Method::GET,
            DISCOVERY_PATH,
            Some(DISCOVERY_MEDIA_TYPE),
            None,
        ) {
            Ok(answer) => {
                let d: Discovery = serde_json::from_value(answer.body).map_err(|e| {
                    ProviderError::new(
                        Code::HttpRejected,
                        format!("{DISCOVERY_PATH} answered what is not a list of extensions: {e}"),
                        "is --endpoint the provisioning API?",
                    )
                })?;
                Offer {
                    extensions: d
                        .extensions
                        .iter()
                        .filter_map(|p| Collection::at(p))
                        .filter(|c| !c.is_reference())
                        .collect(),
                    user_updates: d.user_updates,
                }
            }
            // Not offered: the reference only.
            Err(Failure::Rejected(404 | 405, _)) => Offer::default(),
            Err(f) => return Err(self.fail(&f, "asking what the API offers")),
        };
        *known = Some(offer.clone());
        Ok(offer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_alone_manages_the_reference_kinds() {
        let caps = Offer::default().capabilities("https://api.example");
        assert_eq!(caps.support(Kind::AutoAttendant), None);
        assert_eq!(caps.support(Kind::Account), Some(Support::ManifestOnly));
        assert_eq!(
            caps.support(Kind::User),
            Some(Support::Managed { update: false })
        );
        assert!(!caps.claims);
        assert!(caps.uncarried.contains(&Field::UserForwarding));
        let all = Offer {
            extensions: Collection::ALL
                .into_iter()
                .filter(|c| !c.is_reference())
                .collect(),
            user_updates: true,
        }
        .capabilities("https://api.example");
        assert_eq!(all.uncarried, vec![Field::SiteExtensionRange]);
        assert!(all.claims);
        assert_eq!(all.replaced_on_update(), Vec::<Kind>::new());
    }
}
