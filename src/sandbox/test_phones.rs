//! Test phones (Firebase's convention): the sandbox's `[[sandbox.test_phones]]`
//! are the flows' fixed-OTP phones, never throttled (attempt limits and the
//! phone lock still apply); their SMS still reach the outbox.

use crate::config::TestPhones;
use crate::contract::Api;
use crate::otp::FixedOtps;
use crate::phone::PhoneId;

impl FixedOtps for TestPhones {
    fn fixed(&self, api: Api, phone: &PhoneId) -> Option<&str> {
        match api {
            Api::Rao => self.rao(phone),
            Api::Telemarketing => self.telemarketing(phone),
            Api::Token => None,
        }
    }
}
