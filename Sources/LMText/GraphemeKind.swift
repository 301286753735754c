/// What a grapheme cluster is, judged by its first code point (Unicode general category and
/// grapheme-break class from utf8proc).
public enum GraphemeKind: Sendable, Equatable {
    /// A letter of any script (categories Lu, Ll, Lt, Lm, Lo), with any marks that follow.
    case letter
    /// A decimal digit, letter-like or other number (Nd, Nl, No).
    case number
    /// A combining mark with no base (Mn, Mc, Me).
    case mark
    /// An emoji: an extended pictographic or regional-indicator sequence.
    case emoji
    /// White space as Python's `str.isspace` sees it (and so d2l's `split()`), line ends included.
    case whitespace
    /// Punctuation, symbols, controls and everything else.
    case other
}
