//! Spoken and written number parsing over normalized word tokens.
//!
//! Speech-to-text output mixes styles ("2.5", "two and a half", "one hundred
//! twenty", "half", "3/4"), so all of them are read here.

pub(crate) const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "half",
    "halves",
    "quarter",
    "quarters",
    "third",
    "thirds",
    "point",
    "couple",
    "dozen",
    "oh",
    "nought",
    "naught",
    "pi",
    "eighth",
    "eighths",
    "tenth",
    "tenths",
];

fn small(w: &str) -> Option<f64> {
    Some(match w {
        "zero" | "oh" | "nought" | "naught" => 0.0,
        "one" => 1.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        _ => return None,
    })
}

fn tens(w: &str) -> Option<f64> {
    Some(match w {
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        _ => return None,
    })
}

pub(crate) fn fraction_word(w: &str) -> Option<f64> {
    Some(match w {
        "half" | "halves" => 0.5,
        "quarter" | "quarters" => 0.25,
        "third" | "thirds" => 1.0 / 3.0,
        "eighth" | "eighths" => 0.125,
        // "at a tenth of a metre per second".
        "tenth" | "tenths" => 0.1,
        _ => None?,
    })
}

fn is_article(w: &str) -> bool {
    matches!(w, "a" | "an")
}

/// Digits with at most one decimal point, or `a/b`. Rejects exponents, signs,
/// `inf` and `nan` on purpose: speech never produces them and `f64::from_str`
/// would accept them.
fn numeric_literal(w: &str) -> Option<f64> {
    if let Some((a, b)) = w.split_once('/') {
        let (a, b) = (numeric_literal(a)?, numeric_literal(b)?);
        return if b == 0.0 { None } else { Some(a / b) };
    }
    let dots = w.chars().filter(|&c| c == '.').count();
    if w.is_empty()
        || dots > 1
        || w.len() > 12
        || !w.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return None;
    }
    if !w.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    w.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Reads a number starting at `tokens[i]`; returns its value and how many
/// tokens it spans. A bare article ("a") is not a number by itself: the caller
/// decides whether "a metre" means one.
pub(crate) fn parse_number(tokens: &[String], i: usize) -> Option<(f64, usize)> {
    let t = |k: usize| tokens.get(k).map(String::as_str);
    let first = t(i)?;
    // "oh" is a zero only among digits ("point oh five"); alone it is an exclamation ("turn left
    // oh sorry i mean right").
    if first == "oh" {
        return None;
    }
    // "pi radians", "pi over two radians".
    if first == "pi" {
        let (value, span) = over(tokens, i + 1, std::f64::consts::PI);
        return Some((value, 1 + span));
    }

    // "a half", "a quarter", "a third", "a hundred", "a dozen", "a couple of"
    if is_article(first) {
        match t(i + 1) {
            Some(w) if fraction_word(w).is_some() => return Some((fraction_word(w)?, 2)),
            // "a hundred and twenty"
            Some("hundred") => {
                let (v, span) = parse_cardinal(tokens, i + 1)?;
                return Some((v, 1 + span));
            }
            Some("dozen") => return Some((12.0, 2)),
            Some("couple") => {
                let n = if t(i + 2) == Some("of") { 3 } else { 2 };
                return Some((2.0, n));
            }
            _ => return None,
        }
    }
    // "point five": speech drops the leading zero.
    if first == "point" {
        let (frac, span) = decimal_digits(tokens, i + 1)?;
        return Some((frac, 1 + span));
    }
    if first == "couple" {
        let n = if t(i + 1) == Some("of") { 2 } else { 1 };
        return Some((2.0, n));
    }
    if let Some(f) = fraction_word(first) {
        return Some((f, 1));
    }

    let (mut value, mut j) = if let Some((v, span)) = digit_by_digit(tokens, i) {
        (v, i + span)
    } else if let Some(v) = numeric_literal(first) {
        // "3 60": a recogniser's space inside "360" (a digit, then two).
        match t(i + 1).filter(|w| w.len() == 2 && w.chars().all(|c| c.is_ascii_digit()) && !w.starts_with('0')) {
            Some(w) if first.len() == 1 && (1.0..10.0).contains(&v) => (v * 100.0 + w.parse::<f64>().ok()?, i + 2),
            _ => (v, i + 1),
        }
    } else {
        let (v, span) = parse_cardinal(tokens, i)?;
        (v, i + span)
    };

    // "one point five", and "two comma five" as said where the comma is the decimal mark.
    if t(j) == Some("point") || t(j) == Some("comma") {
        if let Some((frac, span)) = decimal_digits(tokens, j + 1) {
            value += frac;
            j += 1 + span;
        }
    }
    // "two and a half", "one and a quarter", and without the article ("one and half")
    if t(j) == Some("and") && t(j + 1).is_some_and(is_article) {
        if let Some(f) = t(j + 2).and_then(fraction_word) {
            value += f;
            j += 3;
        }
    } else if t(j) == Some("and") {
        if let Some(f) = t(j + 1).and_then(fraction_word) {
            value += f;
            j += 2;
        } else if let (Some(n), Some(f)) = (t(j + 1).and_then(small).filter(|n| *n >= 1.0), t(j + 2).and_then(fraction_word)) {
            // "one and three quarter metres"
            if n * f < 1.0 {
                value += n * f;
                j += 3;
            }
        }
    }
    // "three quarters", "two thirds": a count of fractions
    if let Some(f) = t(j).and_then(fraction_word) {
        if matches!(
            t(j),
            Some("quarters" | "thirds" | "halves" | "quarter" | "third")
        ) {
            value *= f;
            j += 1;
        }
    }
    // "2 dozen"
    if t(j) == Some("dozen") {
        value *= 12.0;
        j += 1;
    }
    // "two pi radians", "two pi over three"
    if t(j) == Some("pi") {
        let (v, span) = over(tokens, j + 1, value * std::f64::consts::PI);
        value = v;
        j += 1 + span;
    }
    Some((value, j - i))
}

/// "nine zero", "one eight zero", "three zero degrees": an operator's number said digit by digit,
/// known by a zero after its first digit ("two five" stays two numbers), and the tokens it spans.
fn digit_by_digit(tokens: &[String], i: usize) -> Option<(f64, usize)> {
    let digit = |k: usize| tokens.get(k).and_then(|w| small(w)).filter(|d| *d < 10.0);
    let first = digit(i).filter(|d| *d >= 1.0)?;
    let mut value = first;
    let mut k = i + 1;
    let mut zero = false;
    while let Some(d) = digit(k) {
        zero |= d == 0.0;
        value = value * 10.0 + d;
        k += 1;
    }
    (zero && k - i >= 2).then_some((value, k - i))
}

/// `value` divided by the number after "over" at `tokens[i]` ("pi over two"), and the tokens
/// that took.
fn over(tokens: &[String], i: usize, value: f64) -> (f64, usize) {
    if tokens.get(i).map(String::as_str) == Some("over") {
        let divisor = tokens.get(i + 1).and_then(|w| numeric_literal(w).or_else(|| small(w)));
        if let Some(d) = divisor.filter(|d| *d >= 1.0) {
            return (value / d, 2);
        }
    }
    (value, 0)
}

/// The digits after a spoken decimal point ("five", "two five", "25") as a
/// fraction, and how many tokens they span.
fn decimal_digits(tokens: &[String], i: usize) -> Option<(f64, usize)> {
    let mut digits = String::new();
    let mut k = i;
    while let Some(w) = tokens.get(k).map(String::as_str) {
        // "nought point too metres": after the point, a digit's homophone is the digit.
        let heard = match w {
            "too" | "to" => Some(2.0),
            "for" | "fore" => Some(4.0),
            "won" => Some(1.0),
            "ate" => Some(8.0),
            _ => None,
        };
        if let Some(d) = small(w).filter(|d| *d < 10.0).or(heard) {
            digits.push(char::from(b'0' + d as u8));
        } else if k == i && !w.is_empty() && w.len() <= 6 && w.chars().all(|c| c.is_ascii_digit()) {
            digits.push_str(w);
            k += 1;
            break;
        } else {
            break;
        }
        k += 1;
    }
    if digits.is_empty() {
        return None;
    }
    format!("0.{digits}").parse::<f64>().ok().map(|f| (f, k - i))
}

/// "one hundred and twenty five", "twenty one", "three thousand".
fn parse_cardinal(tokens: &[String], i: usize) -> Option<(f64, usize)> {
    let t = |k: usize| tokens.get(k).map(String::as_str);
    let mut total = 0.0;
    let mut current = 0.0;
    let mut j = i;
    let mut any = false;
    while let Some(w) = t(j) {
        if let Some(v) = small(w) {
            // "two five" is two numbers, not twenty-five; stop at the second.
            if any
                && current % 100.0 != 0.0
                && !(current % 10.0 == 0.0 && current % 100.0 >= 20.0 && v < 10.0)
            {
                break;
            }
            current += v;
        } else if let Some(v) = tens(w) {
            // "three sixty", "one twenty": a digit and then tens is how hundreds are said.
            if any && j == i + 1 && (1.0..10.0).contains(&current) && total == 0.0 {
                current = current * 100.0 + v;
                any = true;
                j += 1;
                continue;
            }
            if any && current % 100.0 != 0.0 {
                break;
            }
            current += v;
        } else if w == "hundred" {
            current = if any { current.max(1.0) * 100.0 } else { 100.0 };
        } else if let Some(scale) = match w {
            "thousand" => Some(1e3),
            // "spin a million degrees": a child's amount, clamped like any other too large.
            "million" => Some(1e6),
            _ => None,
        } {
            total += if any { current.max(1.0) * scale } else { scale };
            current = 0.0;
        } else if w == "and" && any && current % 100.0 == 0.0 {
            // Only swallow "and" inside a number ("hundred and five"), not in "one and three quarter".
            match t(j + 1) {
                Some(n) if small(n).is_some() || tens(n).is_some() => {}
                _ => break,
            }
        } else {
            break;
        }
        any = true;
        j += 1;
    }
    if !any {
        return None;
    }
    Some((total + current, j - i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<(f64, usize)> {
        let toks: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse_number(&toks, 0)
    }

    #[test]
    fn reads_spoken_numbers() {
        assert_eq!(p("one hundred twenty"), Some((120.0, 3)));
        assert_eq!(p("one hundred and twenty five meters"), Some((125.0, 5)));
        assert_eq!(p("two and a half"), Some((2.5, 4)));
        assert_eq!(p("half"), Some((0.5, 1)));
        assert_eq!(p("a quarter"), Some((0.25, 2)));
        assert_eq!(p("1.5"), Some((1.5, 1)));
        assert_eq!(p("3/4"), Some((0.75, 1)));
        assert_eq!(p("one point five"), Some((1.5, 3)));
        assert_eq!(p("twenty one"), Some((21.0, 2)));
        assert_eq!(p("three quarters"), Some((0.75, 2)));
        assert_eq!(p("ninety"), Some((90.0, 1)));
        assert_eq!(p("two five"), Some((2.0, 1)));
        assert_eq!(p("point five"), Some((0.5, 2)));
        assert_eq!(p("point two five meters"), Some((0.25, 3)));
        assert_eq!(p("point 3"), Some((0.3, 2)));
        assert_eq!(p("point at"), None);
        assert_eq!(p("a"), None);
        assert_eq!(p("1e9"), None);
        assert_eq!(p("nan"), None);
        assert_eq!(p("1/0"), None);
        assert_eq!(p("three sixty"), Some((360.0, 2)));
        assert_eq!(p("a hundred and twenty"), Some((120.0, 4)));
        assert_eq!(p("a hundred metres"), Some((100.0, 2)));
        assert_eq!(p("one twenty five"), Some((125.0, 3)));
        assert_eq!(p("two seventy degrees"), Some((270.0, 2)));
        assert_eq!(p("twenty five"), Some((25.0, 2)));
        assert_eq!(p("one and three quarter metres"), Some((1.75, 4)));
        assert_eq!(p("an eighth"), Some((0.125, 2)));
        assert_eq!(p("oh"), None);
        assert_eq!(p("nought point five"), Some((0.5, 3)));
        assert_eq!(p("point oh five"), Some((0.05, 3)));
        let pi = std::f64::consts::PI;
        assert_eq!(p("pi radians"), Some((pi, 1)));
        assert_eq!(p("pi over two radians"), Some((pi / 2.0, 3)));
        assert_eq!(p("two pi"), Some((2.0 * pi, 2)));
        assert_eq!(p("pi over"), Some((pi, 1)));
    }
}
