//! Decimal digits by hand: the request log line writes a dozen numbers per
//! request, and `write!` goes through the formatting machinery for each.

use std::fmt::{self, Write};

/// `value` in decimal, zero-padded to at least `width` digits.
pub(crate) fn push(out: &mut impl Write, mut value: u64, width: usize) -> fmt::Result {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while value > 0 || digits.len() - at < width.max(1) {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    // A digit at a time: a few of them cost less than checking them as
    // UTF-8 and copying them in one piece.
    digits[at..]
        .iter()
        .try_for_each(|&digit| out.write_char(char::from(digit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_and_padded() {
        for (value, width, text) in [
            (0, 1, "0"),
            (7, 2, "07"),
            (123_456, 6, "123456"),
            (42, 6, "000042"),
            (u64::MAX, 1, "18446744073709551615"),
        ] {
            let mut out = String::new();
            push(&mut out, value, width).unwrap();
            assert_eq!(out, text);
        }
    }
}
