//! Tokens of the expression language.

use std::ops::Range;

use super::error::ExprError;

/// More tokens than this and the expression is rejected.
pub(crate) const MAX_TOKENS: usize = 10_000;

/// The unit of a duration literal (`18y`, `6m`, `30d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DurUnit {
    Years,
    Months,
    Days,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Int(i64),
    Dec(f64),
    Str(String),
    Dur(i64, DurUnit),
    /// A bare identifier (column or function name).
    Ident(String),
    /// A `backtick-quoted` column name.
    Quoted(String),
    And,
    Or,
    Not,
    In,
    Between,
    Is,
    Null,
    True,
    False,
    If,
    Then,
    Else,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Range<usize>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word.to_ascii_lowercase().as_str() {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "in" => Tok::In,
        "between" => Tok::Between,
        "is" => Tok::Is,
        "null" => Tok::Null,
        "true" => Tok::True,
        "false" => Tok::False,
        "if" => Tok::If,
        "then" => Tok::Then,
        "else" => Tok::Else,
        _ => return None,
    })
}

/// Splits `src` into tokens; the last token is always [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if out.len() >= MAX_TOKENS {
            return Err(ExprError::new(
                start..src.len(),
                format!("expression too long: more than {MAX_TOKENS} tokens"),
            )
            .with_help("split it into several checks"));
        }
        chars.next();
        let next = chars.peek().map(|&(_, c)| c);
        let mut end = start + c.len_utf8();
        let mut two = |tok: Tok, chars: &mut std::iter::Peekable<std::str::CharIndices>| {
            chars.next();
            end += 1;
            tok
        };
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBrack,
            ']' => Tok::RBrack,
            ',' => Tok::Comma,
            '+' => Tok::Plus,
            '-' => Tok::Minus,
            '*' => Tok::Star,
            '/' => Tok::Slash,
            '=' if next == Some('=') => two(Tok::Eq, &mut chars),
            '=' => Tok::Eq,
            '!' if next == Some('=') => two(Tok::Ne, &mut chars),
            '!' => Tok::Not,
            '<' if next == Some('=') => two(Tok::Le, &mut chars),
            '<' if next == Some('>') => two(Tok::Ne, &mut chars),
            '<' => Tok::Lt,
            '>' if next == Some('=') => two(Tok::Ge, &mut chars),
            '>' => Tok::Gt,
            '&' if next == Some('&') => two(Tok::And, &mut chars),
            '|' if next == Some('|') => two(Tok::Or, &mut chars),
            '&' | '|' => {
                return Err(
                    ExprError::new(start..end, format!("unexpected `{c}`")).with_help(
                        if c == '&' {
                            "write `and` or `&&`"
                        } else {
                            "write `or` or `||`"
                        },
                    ),
                );
            }
            '\'' | '"' => {
                let mut s = String::new();
                loop {
                    let Some((i, ch)) = chars.next() else {
                        return Err(ExprError::new(start..src.len(), "unterminated string")
                            .with_help(format!("add the closing {c}")));
                    };
                    if ch == c {
                        end = i + 1;
                        break;
                    }
                    if ch == '\\' {
                        match chars.next() {
                            Some((_, e @ ('\\' | '\'' | '"'))) => s.push(e),
                            Some((_, 'n')) => s.push('\n'),
                            Some((_, 't')) => s.push('\t'),
                            Some((j, e)) => {
                                return Err(ExprError::new(
                                    i..j + e.len_utf8(),
                                    format!("unknown escape `\\{e}`"),
                                )
                                .with_help(r#"escapes are \\, \', \", \n and \t"#));
                            }
                            None => {
                                return Err(ExprError::new(
                                    start..src.len(),
                                    "unterminated string",
                                )
                                .with_help(format!("add the closing {c}")));
                            }
                        }
                    } else {
                        s.push(ch);
                    }
                }
                Tok::Str(s)
            }
            '`' => {
                let mut s = String::new();
                loop {
                    let Some((i, ch)) = chars.next() else {
                        return Err(ExprError::new(start..src.len(), "unterminated column name")
                            .with_help("add the closing `"));
                    };
                    if ch == '`' {
                        end = i + 1;
                        break;
                    }
                    s.push(ch);
                }
                if s.is_empty() {
                    return Err(ExprError::new(start..end, "empty column name"));
                }
                Tok::Quoted(s)
            }
            '0'..='9' => {
                let mut is_dec = false;
                while let Some(&(i, ch)) = chars.peek() {
                    if ch.is_ascii_digit() {
                        chars.next();
                        end = i + 1;
                    } else if ch == '.'
                        && !is_dec
                        && src[i + 1..].starts_with(|d: char| d.is_ascii_digit())
                    {
                        is_dec = true;
                        chars.next();
                        end = i + 1;
                    } else {
                        break;
                    }
                }
                let digits = &src[start..end];
                // A suffix: a duration unit, or garbage.
                let mut suffix_end = end;
                while let Some(&(i, ch)) = chars.peek() {
                    if is_ident_continue(ch) {
                        chars.next();
                        suffix_end = i + ch.len_utf8();
                    } else {
                        break;
                    }
                }
                let suffix = &src[end..suffix_end];
                let int = || {
                    digits.parse::<i64>().map_err(|_| {
                        ExprError::new(start..end, "integer too large")
                            .with_help("integers go up to 9223372036854775807")
                    })
                };
                let tok = match (suffix, is_dec) {
                    ("", false) => Tok::Int(int()?),
                    ("", true) => Tok::Dec(
                        digits
                            .parse::<f64>()
                            .map_err(|_| ExprError::new(start..end, "invalid decimal number"))?,
                    ),
                    ("y", false) => Tok::Dur(int()?, DurUnit::Years),
                    ("m", false) => Tok::Dur(int()?, DurUnit::Months),
                    ("d", false) => Tok::Dur(int()?, DurUnit::Days),
                    _ => {
                        return Err(ExprError::new(start..suffix_end, "invalid number")
                            .with_help("durations are written 18y, 6m or 30d; decimals 1.5"));
                    }
                };
                end = suffix_end;
                tok
            }
            c if is_ident_start(c) => {
                // A qualified name (`anagrafe.DATA_NASCITA`) is one
                // identifier: a dot between two identifier parts.
                while let Some(&(i, ch)) = chars.peek() {
                    if is_ident_continue(ch) {
                        chars.next();
                        end = i + ch.len_utf8();
                    } else if ch == '.' && src[i + 1..].starts_with(is_ident_start) {
                        chars.next();
                        end = i + 1;
                    } else {
                        break;
                    }
                }
                let word = &src[start..end];
                keyword(word).unwrap_or_else(|| Tok::Ident(word.to_string()))
            }
            _ => {
                let mut err = ExprError::new(start..end, format!("unexpected character `{c}`"));
                if c == '.' {
                    err = err.with_help("write decimals with a leading digit, e.g. 0.5");
                } else if c == '%' || c == '^' {
                    err = err.with_help("operators are + - * /");
                }
                return Err(err);
            }
        };
        out.push(Token {
            tok,
            span: start..end,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: src.len()..src.len(),
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn operators_and_keywords() {
        assert_eq!(
            toks("a >= 1 AND b != 'x' || !c <> d = e"),
            vec![
                Tok::Ident("a".into()),
                Tok::Ge,
                Tok::Int(1),
                Tok::And,
                Tok::Ident("b".into()),
                Tok::Ne,
                Tok::Str("x".into()),
                Tok::Or,
                Tok::Not,
                Tok::Ident("c".into()),
                Tok::Ne,
                Tok::Ident("d".into()),
                Tok::Eq,
                Tok::Ident("e".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn literals() {
        assert_eq!(
            toks(r#"1.5 18y 6m 30d "it's" 'a\'b' `DATA FINE` CITTÀ"#),
            vec![
                Tok::Dec(1.5),
                Tok::Dur(18, DurUnit::Years),
                Tok::Dur(6, DurUnit::Months),
                Tok::Dur(30, DurUnit::Days),
                Tok::Str("it's".into()),
                Tok::Str("a'b".into()),
                Tok::Quoted("DATA FINE".into()),
                Tok::Ident("CITTÀ".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn spans_are_byte_ranges() {
        let t = lex("é == 'ü'").unwrap();
        assert_eq!(t[0].span, 0..2);
        assert_eq!(t[1].span, 3..5);
        assert_eq!(t[2].span, 6..10);
        assert_eq!(t[3].span, 10..10);
    }

    #[test]
    fn errors() {
        let e = lex("a == 'abc").unwrap_err();
        assert_eq!((e.span, e.message.as_str()), (5..9, "unterminated string"));
        let e = lex("x > 12abc").unwrap_err();
        assert_eq!((e.span, e.message.as_str()), (4..9, "invalid number"));
        let e = lex("x > 99999999999999999999").unwrap_err();
        assert_eq!(e.message, "integer too large");
        let e = lex("x # 1").unwrap_err();
        assert_eq!(
            (e.span, e.message.as_str()),
            (2..3, "unexpected character `#`")
        );
        let e = lex("x & y").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("write `and` or `&&`"));
    }

    #[test]
    fn token_limit() {
        let src = "1 + ".repeat(5_001) + "1";
        let e = lex(&src).unwrap_err();
        assert!(e.message.starts_with("expression too long"), "{e}");
        assert!(lex(&"1 + ".repeat(4_000)).is_ok());
    }
}
