//! The expiry date of an X.509 certificate, read from its DER encoding.
//!
//! Only the path to `notAfter` is decoded (RFC 5280 §4.1): `Certificate ::= SEQUENCE {
//! tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, signature
//! AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore Time, notAfter Time }, … } … }`,
//! where `Time` is `UTCTime` (`YYMMDDHHMMSSZ`, years 50–99 are 19xx) or `GeneralizedTime`
//! (`YYYYMMDDHHMMSSZ`). A full X.509 parser would be a large dependency for one date.

/// `notAfter` of a DER certificate, as Unix seconds; `None` if the encoding is not understood.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (cert, _) = tlv(der, 0x30)?;
    let (tbs, _) = tlv(cert, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xA0) {
        rest = skip(rest)?;
    }
    rest = skip(rest)?; // serialNumber
    rest = skip(rest)?; // signature
    rest = skip(rest)?; // issuer
    let (validity, _) = tlv(rest, 0x30)?;
    let after_not_before = skip(validity)?;
    let tag = *after_not_before.first()?;
    let (time, _) = tlv(after_not_before, tag)?;
    parse_time(tag, std::str::from_utf8(time).ok()?)
}

/// Whole days from `now` to `not_after` (both Unix seconds), rounded down: a certificate that
/// expires in 23 hours has 0 days left, an expired one a negative count.
pub fn days_left(not_after: i64, now: i64) -> i64 {
    (not_after - now).div_euclid(86_400)
}

/// The content of the TLV at the start of `data` if its tag is `tag`, and what follows it.
fn tlv(data: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *data.first()? != tag {
        return None;
    }
    let first = *data.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for b in data.get(2..2 + n)? {
            len = (len << 8) | usize::from(*b);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((data.get(header..end)?, data.get(end..)?))
}

/// What follows the TLV at the start of `data`, whatever its tag.
fn skip(data: &[u8]) -> Option<&[u8]> {
    tlv(data, *data.first()?).map(|(_, rest)| rest)
}

fn parse_time(tag: u8, text: &str) -> Option<i64> {
    let digits = text.strip_suffix('Z')?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| digits.get(range)?.parse::<i64>().ok();
    let (year, rest) = match (tag, digits.len()) {
        (0x17, 12) => {
            let yy = num(0..2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (0x18, 14) => (num(0..4)?, 4),
        _ => return None,
    };
    let month = num(rest..rest + 2)?;
    let day = num(rest + 2..rest + 4)?;
    let hour = num(rest + 4..rest + 6)?;
    let minute = num(rest + 6..rest + 8)?;
    let second = num(rest + 8..rest + 10)?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
/// Date Algorithms").
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_to_unix_seconds() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse_time(0x17, "000301000000Z"), Some(951_868_800));
        assert_eq!(parse_time(0x18, "20380119031408Z"), Some(2_147_483_648));
        assert_eq!(parse_time(0x17, "491231235959Z"), Some(2_524_607_999));
        assert_eq!(parse_time(0x17, "500101000000Z"), Some(-631_152_000));
        assert_eq!(parse_time(0x17, "501301000000Z"), None);
        assert_eq!(parse_time(0x18, "2038011903140Z"), None);
    }

    #[test]
    fn days_round_down() {
        assert_eq!(days_left(86_400 * 3 - 1, 0), 2);
        assert_eq!(days_left(86_400 * 3, 0), 3);
        assert_eq!(days_left(-1, 0), -1);
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert_eq!(not_after(b""), None);
        assert_eq!(not_after(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(not_after(&[0x30, 0x03, 0x30, 0x01, 0x02]), None);
    }
}
