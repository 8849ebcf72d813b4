//! Phone numbers: one handset, one identity.
//!
//! A phone's identity ([`PhoneId`]) is the whole E.164 number its SMS goes
//! to: the country calling code without leading zeros, then the national
//! number as ASCII digits. Calling codes are a prefix code (ITU-T E.164), so
//! a whole number has exactly one valid split: a calling code that is not
//! assigned (`+5`, `+525`, `+5255`) is refused rather than taken as another
//! phone, by libphonenumber's metadata (the `phonenumber` crate). Only the
//! calling code is checked against it, and the lengths its numbers may have
//! (below); a number's type and exact pattern are not, so that the specs'
//! and the sandbox's example numbers stay valid.
//!
//! Look-alike forms of one number are folded into its identity: leading
//! zeros (`+052`, `05577002144`), the calling code repeated in the national
//! number (`525577002144` under `+52`), Mexico's old mobile `1` after it,
//! where what is left has a length the country's numbers have. Non-ASCII
//! digits (Arabic-Indic, full-width) are not digits here.
//!
//! Also how the rest of the server may show a phone: masked to its last 4
//! digits, in logs, metrics and the sandbox's request list.

use phonenumber::metadata::DATABASE;
use std::fmt;
use std::sync::LazyLock;

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

/// One handset: calling code and national number, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PhoneId {
    /// `+525577002144`: `+`, the calling code, the national number; one
    /// string, as it is hashed and as an SMS is addressed.
    e164: String,
    /// Where the national number starts in `e164`.
    split: usize,
}

/// Why a value is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PhoneError {
    #[error("the number is not 4 to 15 ASCII digits")]
    Digits,
    #[error("the number has fewer than 4 digits after its leading zeros")]
    TooShort,
    #[error("with its calling code the number has more than E.164's 15 digits")]
    TooLong,
    #[error("the calling code is not + and 1 to 4 ASCII digits")]
    CountryCode,
    #[error("the calling code is not one assigned to a country (ITU-T E.164)")]
    Unassigned,
    #[error("the country is not an ISO 3166 country with a calling code")]
    Country,
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Every assigned calling code and the lengths its national numbers may
/// have (of every type of number of every country sharing the code), read
/// once from libphonenumber's metadata. Indexed by the code (three digits
/// at most): every request looks one up, and an index costs no hash.
static CALLING_CODES: LazyLock<Vec<Option<Vec<u16>>>> = LazyLock::new(|| {
    let mut codes: Vec<Option<Vec<u16>>> = Vec::new();
    for meta in DATABASE.iter() {
        let code = usize::from(meta.country_code());
        if codes.len() <= code {
            codes.resize(code + 1, None);
        }
        let d = meta.descriptors();
        let typed = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        let lengths = codes[code].get_or_insert_with(Vec::new);
        lengths.extend(d.general().possible_length());
        lengths.extend(
            typed
                .into_iter()
                .flatten()
                .flat_map(|t| t.possible_length()),
        );
        lengths.sort_unstable();
        lengths.dedup();
    }
    codes
});

/// The national-number lengths of an assigned calling code; `None` for
/// any other code.
fn calling_code(code: u16) -> Option<&'static [u16]> {
    CALLING_CODES.get(usize::from(code))?.as_deref()
}

/// Whether `code` is an assigned calling code.
fn is_assigned(code: u16) -> bool {
    calling_code(code).is_some()
}

impl PhoneId {
    /// The identity of `number` (ASCII digits) under calling code `country`.
    pub(crate) fn new(country: &str, number: &str) -> Result<Self, PhoneError> {
        if !is_digits(number) || !(4..=15).contains(&number.len()) {
            return Err(PhoneError::Digits);
        }
        if !is_digits(country) || country.len() > 4 {
            return Err(PhoneError::CountryCode);
        }
        let country = country.trim_start_matches('0');
        let code: u16 = country.parse().map_err(|_| PhoneError::Unassigned)?;
        if !is_assigned(code) {
            return Err(PhoneError::Unassigned);
        }
        let number = national(country, code, number.trim_start_matches('0'));
        if number.len() < 4 {
            return Err(PhoneError::TooShort);
        }
        if country.len() + number.len() > 15 {
            return Err(PhoneError::TooLong);
        }
        let mut e164 = String::with_capacity(1 + country.len() + number.len());
        e164.push('+');
        e164.push_str(country);
        e164.push_str(number);
        Ok(Self {
            split: 1 + country.len(),
            e164,
        })
    }

    /// A `phoneNumber` under an ISO 3166 `countryCode` (telemarketing):
    /// national, or with its calling code.
    pub(crate) fn in_country(iso_country: &str, number: &str) -> Result<Self, PhoneError> {
        // Two letters, upper-cased without allocating (the usual case).
        let (pair, other);
        let id = match *iso_country.as_bytes() {
            [a, b] => {
                pair = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
                std::str::from_utf8(&pair).unwrap_or_default()
            }
            _ => {
                other = iso_country.to_ascii_uppercase();
                other.as_str()
            }
        };
        let meta = DATABASE.by_id(id).ok_or(PhoneError::Country)?;
        let mut code = String::with_capacity(5);
        // Writing into a `String` cannot fail.
        let _ = crate::decimal::push(&mut code, meta.country_code().into(), 1);
        Self::new(&code, number)
    }

    /// An E.164 text (`+525500000001`): its one valid split.
    pub(crate) fn from_e164(text: &str) -> Result<Self, PhoneError> {
        let digits = text.strip_prefix('+').ok_or(PhoneError::CountryCode)?;
        let digits = digits.trim_start_matches('0');
        if !is_digits(digits) {
            return Err(PhoneError::Digits);
        }
        let split = (1..=3.min(digits.len() - 1))
            .find(|&n| digits[..n].parse().is_ok_and(is_assigned))
            .ok_or(PhoneError::Unassigned)?;
        Self::new(&digits[..split], &digits[split..])
    }

    /// The SMS recipient: `+525577002144`.
    pub(crate) fn e164(&self) -> String {
        self.e164.clone()
    }

    /// [`Self::e164`], borrowed.
    pub(crate) fn as_e164(&self) -> &str {
        &self.e164
    }

    /// `52`: the calling code, ASCII digits, no leading zeros.
    pub(crate) fn country(&self) -> &str {
        &self.e164[1..self.split]
    }
}

/// The identity as hashed: the whole E.164 number.
impl fmt::Display for PhoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// `number` without a repeated calling code (or Mexico's old mobile `1`),
/// when what is left has a length the country's numbers have.
fn national<'a>(country: &str, code: u16, number: &'a str) -> &'a str {
    let lengths = calling_code(code).unwrap_or_default();
    let fits = |n: &str| lengths.contains(&(n.len() as u16));
    if lengths.is_empty() || fits(number) {
        return number;
    }
    let rest = number.strip_prefix(country).unwrap_or(number);
    let rest = rest.trim_start_matches('0');
    let rest = match code {
        52 if rest.len() == 11 => rest.strip_prefix('1').unwrap_or(rest),
        _ => rest,
    };
    if fits(rest) {
        rest
    } else {
        number
    }
}

impl Phone {
    /// A RAO phone from its `phoneCountryCode` (`+52`) and decrypted number.
    pub(crate) fn new(country_code: &str, number: &str) -> Result<Self, PhoneError> {
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
    // A phone as requests bring one is ASCII: a byte is a character, and
    // counting them is free.
    let ascii = phone.is_ascii();
    let len = match ascii {
        true => phone.len(),
        false => phone.chars().count(),
    };
    let first_shown = if len > 4 { len - 4 } else { len };
    // The shown part starts after `first_shown` characters; one `*` each
    // before it (every request masks its phone: no char-by-char collect).
    let shown = match ascii {
        true => first_shown,
        false => phone
            .char_indices()
            .nth(first_shown)
            .map_or(phone.len(), |(at, _)| at),
    };
    let mut masked = String::with_capacity(first_shown + phone.len() - shown);
    masked.extend(std::iter::repeat_n('*', first_shown));
    masked.push_str(&phone[shown..]);
    masked
}

/// `text` with every run of `shortest` or more ASCII digits masked as
/// [`mask`] masks a phone: free text (an SMS, a body that is not JSON)
/// shown without the phones in it.
pub(crate) fn mask_digit_runs(text: &str, shortest: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        match run.len() >= shortest {
            true => out.push_str(&mask(run)),
            false => out.push_str(run),
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(country: &str, number: &str) -> PhoneId {
        PhoneId {
            e164: format!("+{country}{number}"),
            split: 1 + country.len(),
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
            assert_eq!(PhoneId::in_country("MX", number).unwrap(), one, "{number}");
        }
        assert_eq!(PhoneId::in_country("mx", "5577002144").unwrap(), one);
        assert_eq!(PhoneId::from_e164("+525577002144").unwrap(), one);
    }

    #[test]
    fn one_handset_has_one_split_unassigned_calling_codes_are_refused() {
        let handset = Phone::new("+52", "5590161000").unwrap().id;
        assert_eq!(handset.e164(), "+525590161000");
        for (cc, number) in [
            ("+5", "25590161000"),
            ("+525", "590161000"),
            ("+5255", "90161000"),
        ] {
            assert_eq!(
                Phone::new(cc, number),
                Err(PhoneError::Unassigned),
                "{cc} {number}"
            );
        }
        assert_eq!(PhoneId::from_e164("+5255"), Err(PhoneError::Digits));
        assert_eq!(PhoneId::from_e164("+8"), Err(PhoneError::Unassigned));
        assert_eq!(
            PhoneId::from_e164("+15551234567").unwrap(),
            id("1", "5551234567")
        );
        assert_eq!(
            PhoneId::in_country("ZZ", "1234567"),
            Err(PhoneError::Country)
        );
    }

    #[test]
    fn only_ascii_digits_count_and_the_reason_is_the_real_one() {
        assert_eq!(Phone::new("+52", "٥٥٧٧٠٠٢١٤٤"), Err(PhoneError::Digits));
        assert_eq!(
            Phone::new("+５２", "5577002144"),
            Err(PhoneError::CountryCode)
        );
        assert_eq!(
            PhoneId::in_country("MX", "５５７７００２１４４"),
            Err(PhoneError::Digits)
        );
        assert_eq!(Phone::new("+52", "0000"), Err(PhoneError::TooShort));
        assert_eq!(
            PhoneId::in_country("MX", "000123"),
            Err(PhoneError::TooShort)
        );
        assert_eq!(
            PhoneId::in_country("MX", "0001234").unwrap(),
            id("52", "1234")
        );
        assert_eq!(
            Phone::new("+1", "123456789012345"),
            Err(PhoneError::TooLong)
        );
    }

    #[test]
    fn national_numbers_that_look_like_a_calling_code_are_kept() {
        assert_eq!(
            PhoneId::in_country("MX", "5277002144").unwrap(),
            id("52", "5277002144")
        );
        assert_eq!(
            PhoneId::in_country("US", "15551234567").unwrap(),
            id("1", "5551234567")
        );
    }

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("+525512345678"), "*********5678");
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask(""), "");
        assert_eq!(mask("ñá12345"), "***2345", "characters, not bytes");
    }
}
