//! Phone numbers: one real phone, one identity.
//!
//! Counters (send throttles, the failure lock) and bindings are keyed by a
//! [`PhoneId`]: the country calling code and the national number, as ASCII
//! digits without leading zeros, kept as a pair and never concatenated
//! (`+52`/`5577002144` is not `+525`/`577002144`). A RAO phone
//! (`phoneCountryCode` + number) and a telemarketing `phoneNumber` (national,
//! or with its country code, under the request's `countryCode`) of the same
//! real phone get the same identity, whatever look-alike form they come in:
//! `+052`, `05577002144`, `525577002144` under `MX`, or Mexico's old mobile
//! `1` after the country code. Non-ASCII digits (Arabic-Indic, full-width)
//! are not digits here.
//!
//! Also how the rest of the server may show a phone: masked to its last 4
//! digits, in logs, metrics and the sandbox's request list.

use std::fmt;

/// A phone in clear, as decrypted from a RAO request (kept as given, for
/// the certified-phone answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phone {
    /// `+52`
    pub country_code: String,
    /// 4 to 15 digits.
    pub number: String,
    /// The identity of this phone.
    pub id: PhoneId,
}

/// One real phone: calling code and national number, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PhoneId {
    /// `52`: ASCII digits, no leading zeros.
    pub country: String,
    /// `5577002144`: ASCII digits, no leading zeros, no country code.
    pub number: String,
}

/// Why a value is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PhoneError {
    #[error("the number is not 4 to 15 ASCII digits")]
    Number,
    #[error("the country code is not + and 1 to 4 ASCII digits")]
    CountryCode,
}

/// ISO 3166 country, calling code, lengths of its national significant numbers.
const COUNTRIES: &[(&str, &str, &[usize])] = &[
    ("MX", "52", &[10]),
    ("US", "1", &[10]),
    ("CA", "1", &[10]),
    ("GT", "502", &[8]),
    ("SV", "503", &[8]),
    ("HN", "504", &[8]),
    ("NI", "505", &[8]),
    ("CR", "506", &[8]),
    ("PA", "507", &[7, 8]),
    ("CO", "57", &[10]),
    ("VE", "58", &[10]),
    ("EC", "593", &[8, 9]),
    ("PE", "51", &[8, 9]),
    ("BR", "55", &[10, 11]),
    ("AR", "54", &[10]),
    ("CL", "56", &[9]),
    ("UY", "598", &[8]),
    ("PY", "595", &[9]),
    ("BO", "591", &[8]),
    ("DO", "1", &[10]),
    ("PR", "1", &[10]),
    ("ES", "34", &[9]),
    ("GB", "44", &[10]),
    ("DE", "49", &[10, 11]),
    ("FR", "33", &[9]),
    ("IT", "39", &[9, 10]),
    ("PT", "351", &[9]),
    ("IN", "91", &[10]),
    ("CN", "86", &[11]),
    ("JP", "81", &[10]),
    ("PH", "63", &[10]),
    ("SG", "65", &[8]),
    ("HK", "852", &[8]),
    ("AE", "971", &[9]),
];

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn national_lengths(country: &str) -> Option<&'static [usize]> {
    COUNTRIES
        .iter()
        .find(|(_, code, _)| *code == country)
        .map(|(_, _, lengths)| *lengths)
}

impl PhoneId {
    /// The identity of `number` (ASCII digits) under calling code `country`.
    pub(crate) fn new(country: &str, number: &str) -> Result<Self, PhoneError> {
        if !is_digits(number) || !(4..=15).contains(&number.len()) {
            return Err(PhoneError::Number);
        }
        if !is_digits(country) || country.len() > 4 {
            return Err(PhoneError::CountryCode);
        }
        let country = country.trim_start_matches('0');
        let number = national(country, number.trim_start_matches('0'));
        if country.is_empty() || number.len() < 4 {
            return Err(PhoneError::Number);
        }
        Ok(Self {
            country: country.to_owned(),
            number: number.to_owned(),
        })
    }

    /// A telemarketing `phoneNumber` under the request's ISO `countryCode`.
    /// A country the server has no calling code for keeps the number as its
    /// own identity, under the ISO code.
    pub(crate) fn telemarketing(iso_country: &str, number: &str) -> Result<Self, PhoneError> {
        match COUNTRIES
            .iter()
            .find(|(iso, _, _)| iso.eq_ignore_ascii_case(iso_country))
        {
            Some((_, code, _)) => Self::new(code, number),
            None => {
                let national = number.trim_start_matches('0');
                if !is_digits(number) || number.len() > 15 || national.len() < 4 {
                    return Err(PhoneError::Number);
                }
                Ok(Self {
                    country: iso_country.to_ascii_uppercase(),
                    number: national.to_owned(),
                })
            }
        }
    }

    /// An E.164-looking text (`+525500000001`): the longest known calling
    /// code that leaves a national number of a known length; else the first
    /// known code that prefixes it.
    pub(crate) fn from_e164(text: &str) -> Result<Self, PhoneError> {
        let digits = text.strip_prefix('+').ok_or(PhoneError::CountryCode)?;
        let digits = digits.trim_start_matches('0');
        let fits = |(_, code, lengths): &&(&str, &str, &[usize])| {
            digits
                .strip_prefix(code)
                .is_some_and(|rest| lengths.contains(&rest.len()))
        };
        let known = COUNTRIES.iter().find(fits).or_else(|| {
            COUNTRIES
                .iter()
                .find(|(_, code, _)| digits.starts_with(code))
        });
        let (_, code, _) = known.ok_or(PhoneError::CountryCode)?;
        Self::new(code, &digits[code.len()..])
    }

    /// The SMS recipient: `+525577002144`.
    pub(crate) fn e164(&self) -> String {
        format!("+{}{}", self.country, self.number)
    }
}

/// The pair as hashed: country and number never run together.
impl fmt::Display for PhoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.country, self.number)
    }
}

/// `number` without a repeated country code (or Mexico's old mobile `1`),
/// when what is left is a national number of the country's length.
fn national<'a>(country: &str, number: &'a str) -> &'a str {
    let Some(lengths) = national_lengths(country) else {
        return number;
    };
    if lengths.contains(&number.len()) {
        return number;
    }
    let rest = number.strip_prefix(country).unwrap_or(number);
    let rest = rest.trim_start_matches('0');
    let rest = match country {
        "52" if rest.len() == 11 => rest.strip_prefix('1').unwrap_or(rest),
        _ => rest,
    };
    if lengths.contains(&rest.len()) {
        rest
    } else {
        number
    }
}

impl Phone {
    /// A RAO phone from its `phoneCountryCode` (`+52`) and decrypted number.
    pub(crate) fn new(country_code: &str, number: &str) -> Result<Self, PhoneError> {
        if !is_digits(number) || !(4..=15).contains(&number.len()) {
            return Err(PhoneError::Number);
        }
        let country = country_code
            .strip_prefix('+')
            .ok_or(PhoneError::CountryCode)?;
        let id = PhoneId::new(country, number)?;
        Ok(Self {
            country_code: country_code.to_owned(),
            number: number.to_owned(),
            id,
        })
    }

    /// The SMS recipient, normalized: `+525512345678`.
    pub(crate) fn full(&self) -> String {
        self.id.e164()
    }
}

/// A phone number with all but its last 4 characters masked: `********5678`.
/// Numbers of 4 characters or fewer are masked whole.
pub(crate) fn mask(phone: &str) -> String {
    let len = phone.chars().count();
    let first_shown = if len > 4 { len - 4 } else { len };
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i < first_shown { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(country: &str, number: &str) -> PhoneId {
        PhoneId {
            country: country.into(),
            number: number.into(),
        }
    }

    #[test]
    fn look_alike_forms_of_one_phone_are_one_identity() {
        let one = id("52", "5577002144");
        for (cc, number) in [
            ("+52", "5577002144"),
            ("+052", "5577002144"),
            ("+0052", "5577002144"),
            ("+52", "05577002144"),
            ("+52", "525577002144"),
            ("+52", "15577002144"),
            ("+52", "5215577002144"),
        ] {
            assert_eq!(Phone::new(cc, number).unwrap().id, one, "{cc} {number}");
        }
        for number in ["5577002144", "525577002144", "05577002144", "0525577002144"] {
            assert_eq!(
                PhoneId::telemarketing("MX", number).unwrap(),
                one,
                "{number}"
            );
        }
        assert_eq!(PhoneId::from_e164("+525577002144").unwrap(), one);
    }

    #[test]
    fn pairs_are_never_concatenated_and_only_ascii_digits_count() {
        let a = Phone::new("+52", "5577002144").unwrap().id;
        let b = Phone::new("+525", "577002144").unwrap().id;
        assert_ne!(a, b);
        assert_ne!(a.to_string(), b.to_string());
        assert_eq!(Phone::new("+52", "٥٥٧٧٠٠٢١٤٤"), Err(PhoneError::Number));
        assert_eq!(
            Phone::new("+５２", "5577002144"),
            Err(PhoneError::CountryCode)
        );
        assert_eq!(
            PhoneId::telemarketing("MX", "５５７７００２１４４"),
            Err(PhoneError::Number)
        );
        assert_eq!(Phone::new("+52", "0000"), Err(PhoneError::Number));
    }

    #[test]
    fn national_numbers_that_look_like_a_country_code_are_kept() {
        assert_eq!(
            PhoneId::telemarketing("MX", "5277002144").unwrap(),
            id("52", "5277002144")
        );
        assert_eq!(
            PhoneId::telemarketing("US", "15551234567").unwrap(),
            id("1", "5551234567")
        );
        assert_eq!(
            PhoneId::telemarketing("ZZ", "1234567").unwrap(),
            id("ZZ", "1234567")
        );
        assert_eq!(
            PhoneId::telemarketing("ZZ", "0001234"),
            PhoneId::telemarketing("ZZ", "1234")
        );
        assert_eq!(
            PhoneId::telemarketing("ZZ", "0000"),
            Err(PhoneError::Number)
        );
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("+525512345678"), "*********5678");
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask(""), "");
    }
}
