//! Phone numbers: the domain's [`Phone`], and how the rest of the server
//! may show one (masked to its last 4 digits, in logs, metrics and the
//! sandbox's request list).

/// A phone in clear, as decrypted from a RAO request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// `+52`
    pub country_code: String,
    /// 4 to 15 digits.
    pub number: String,
}

/// Why a value is not a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("the number is not 4 to 15 digits")]
    Number,
}

impl Phone {
    /// A phone from its country code (as the contract checked it) and number.
    pub fn new(country_code: &str, number: &str) -> Result<Self, PhoneError> {
        if !(4..=15).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Number);
        }
        Ok(Self {
            country_code: country_code.to_owned(),
            number: number.to_owned(),
        })
    }

    /// The SMS recipient: `+525512345678`.
    pub fn full(&self) -> String {
        format!("{}{}", self.country_code, self.number)
    }
}

/// A phone number with all but its last 4 characters masked: `********5678`.
/// Numbers of 4 characters or fewer are masked whole.
pub fn mask(phone: &str) -> String {
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
    use super::mask;

    #[test]
    fn masks_all_but_the_last_four() {
        assert_eq!(mask("+525512345678"), "*********5678");
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask(""), "");
    }
}
