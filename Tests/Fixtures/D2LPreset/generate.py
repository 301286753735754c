#!/usr/bin/env python3
"""Writes the d2l preset's non-ASCII fixture: lines.txt (the input, one case per line) and
expected.txt (d2l's own preprocessing of each line, by Python's re and str.lower).

d2l (2021 edition, `read_time_machine`) preprocesses every line of the file as
    re.sub('[^A-Za-z]+', ' ', line).strip().lower()
so this script applies exactly that to each line, line end included, and writes one result
per line. Run it with any Python 3 (no packages): python3 generate.py (writes beside itself).
The cases are fixed (no randomness beyond a seeded generator), so the files are reproducible.
"""
import os
import random
import re
import sys
import unicodedata


def d2l(line):
    return re.sub('[^A-Za-z]+', ' ', line).strip().lower()


def cases():
    out = []
    # Case-special letters: folding or lowering them outside [A-Za-z] gives ASCII letters in
    # some libraries (Kelvin sign → k, İ → i̇, ß → ss, ﬁ → fi, ſ → s); d2l drops them.
    special = [
        "\u212Aelvin", "\u212B ngstr\u00F6m", "\u0130stanbul", "D\u0130YARBAKIR", "\u0131stanbul", "stra\u00DFe", "STRA\u1E9EE",
        "\uFB01le", "\uFB02ow", "\uFB00ect", "o\uFB03ce", "wa\uFB04e", "\uFB05ep", "\uFB06op", "\u017Fun", "Mi\u017F\u017Fi\u017F\u017Fippi",
        "\u0132sselmeer", "\u0133s", "\u0152uvre", "c\u0153ur", "\u00C6sop", "encyclop\u00E6dia", "\u01C4emal", "\u01C5emal", "\u01C6emal",
        "\u01C7ubljana", "\u01C8ubljana", "\u01C9ubljana", "\u01CAe", "\u01CBe", "\u01CCe", "\u0149", "\u01F0ump", "\u0390\u03B1",
        "\u03A3\u039F\u03A6\u039F\u03A3 \u03C3\u03BF\u03C6\u03BF\u03C2", "\u1E9Bt", "\u1E96", "\u1E97", "\u1E98", "\u1E99", "\u1E9A",
        "Pa\u00DF", "\u0345x", "\u1FBE\u1FB3", "\u2126hm", "\u00B5sec", "\u00AAb\u00BAc", "\u2071\u207F", "\u1D43\u1D47",
        "\u0041\u030A ring", "cafe\u0301", "n\u0303o", "Z\u0335\u0321a\u0336lgo", "\u1E9E", "\u2C6F\u2C70", "\uA7AE", "\U00010400\U00010428",
        "\U0001E900\U0001E922", "\u13A0\uAB70", "\u10A0\u2D00", "\u1C90\u10D0",
    ]
    out += [f"{s} case special {i}" for i, s in enumerate(special)]
    # Compatibility forms of ASCII letters: full width, mathematical, circled, parenthesized,
    # small capitals, superscripts, Roman numerals, letterlike symbols.
    compat = [
        "\uFF21\uFF22\uFF23 \uFF41\uFF42\uFF43", "\U0001D400\U0001D401\U0001D41A\U0001D41B", "\U0001D504\U0001D505 fraktur",
        "\U0001D538\U0001D539 double struck", "\u24B6\u24B7\u24D0\u24D1", "\u249C\u249D", "\u1D00\u0299\u1D04", "\u00B9\u00B2\u00B3 \u2074",
        "\u2160\u2161\u2162 \u2170\u2171", "\u2102\u210D\u2115\u2119\u211A\u211D\u2124", "\u2100 \u2101 \u2105", "\u2122 \u2120 \u00A9 \u00AE",
        "\U0001F130\U0001F131 \U0001F150", "\U0001F1E6\U0001F1E7", "\u3392\u3393 \u33A1", "\uFF4B\uFF45\uFF4C\uFF56\uFF49\uFF4E",
    ]
    out += [f"Compat {s} end" for s in compat]
    # Letters of many scripts, with ASCII words around them.
    scripts = {
        "latin": "\u00C0\u00E9\u00EE\u00F5\u00FC \u0100\u0101\u0102 \u01A0\u01B0 \u1EA0\u1EF9",
        "greek": "\u0391\u03B8\u03AE\u03BD\u03B1 \u1F00\u1F08",
        "cyrillic": "\u041C\u043E\u0441\u043A\u0432\u0430 \u0416\u0436 \u0401\u0451 \u0490\u0491",
        "armenian": "\u0540\u0561\u0575\u0561\u057D\u057F\u0561\u0576 \u0587",
        "georgian": "\u10E1\u10D0\u10E5\u10D0\u10E0\u10D7\u10D5\u10D4\u10DA\u10DD",
        "hebrew": "\u05E9\u05DC\u05D5\u05DD \u05E2\u05D5\u05DC\u05DD",
        "arabic": "\u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645 \uFEFB",
        "syriac": "\u0710\u0712\u0713",
        "thaana": "\u0787\u07A6\u078B\u07AA",
        "nko": "\u07CA\u07CB\u07CC",
        "devanagari": "\u0928\u092E\u0938\u094D\u0924\u0947 \u0926\u0941\u0928\u093F\u092F\u093E",
        "bengali": "\u09A8\u09AE\u09B8\u09CD\u0995\u09BE\u09B0",
        "gurmukhi": "\u0A38\u0A24 \u0A38\u0A4D\u0A30\u0A40",
        "gujarati": "\u0AA8\u0AAE\u0AB8\u0acd\u0aa4\u0ac7",
        "oriya": "\u0B28\u0B2E\u0B38\u0B4D\u0B15\u0B3E\u0B30",
        "tamil": "\u0BB5\u0BA3\u0B95\u0BCD\u0B95\u0BAE\u0BCD",
        "telugu": "\u0C28\u0C2E\u0C38\u0C4D\u0C15\u0C3E\u0C30\u0C02",
        "kannada": "\u0CA8\u0CAE\u0CB8\u0CCD\u0C95\u0CBE\u0CB0",
        "malayalam": "\u0D28\u0D2E\u0D38\u0D4D\u0D15\u0D3E\u0D30\u0D02",
        "sinhala": "\u0D86\u0DBA\u0DD4\u0DB6\u0DDD\u0DC0\u0DB1\u0DCA",
        "thai": "\u0E2A\u0E27\u0E31\u0E2A\u0E14\u0E35\u0E04\u0E23\u0E31\u0E1A",
        "lao": "\u0EAA\u0EB0\u0E9A\u0EB2\u0E8D\u0E94\u0EB5",
        "tibetan": "\u0F56\u0F40\u0FB2\u0F0B\u0F64\u0F72\u0F66",
        "myanmar": "\u1019\u1004\u103A\u1039\u1002\u101C\u102C\u1015\u102B",
        "khmer": "\u1787\u17C6\u179A\u17B6\u1794\u179F\u17BD\u179A",
        "ethiopic": "\u1230\u120B\u121D",
        "cherokee": "\u13A3\u13CF\u13B3 \uAB70\uAB71",
        "canadian": "\u140A\u14C4\u14C7\u1557",
        "ogham": "\u1681\u1682\u1683",
        "runic": "\u16A0\u16A2\u16A6",
        "mongolian": "\u182E\u1823\u1829\u182D\u1823\u182F",
        "hangul": "\uC548\uB155\uD558\uC138\uC694 \u1100\u1161\u11A8",
        "hiragana": "\u3053\u3093\u306B\u3061\u306F",
        "katakana": "\u30AB\u30BF\u30AB\u30CA \uFF76\uFF80\uFF76\uFF85",
        "cjk": "\u6F22\u5B57 \u4E2D\u6587 \U00020000\U0002A700",
        "bopomofo": "\u3105\u3106\u3107",
        "yi": "\uA000\uA001\uA002",
        "vai": "\uA500\uA501",
        "javanese": "\uA98F\uA9A4\uA9B4",
        "balinese": "\u1B05\u1B13\u1B44",
        "glagolitic": "\u2C00\u2C30",
        "coptic": "\u2C80\u2C81",
        "tifinagh": "\u2D30\u2D31\u2D32",
        "gothic": "\U00010330\U00010331",
        "old italic": "\U00010300\U00010301",
        "deseret": "\U00010400\U00010401\U00010428",
        "osage": "\U000104B0\U000104D8",
        "adlam": "\U0001E900\U0001E901\U0001E922",
        "cuneiform": "\U00012000\U00012001",
        "egyptian": "\U00013000\U00013001",
        "linear b": "\U00010000\U00010001",
        "brahmi": "\U00011005\U00011006",
    }
    for name, text in scripts.items():
        out.append(f"The {name.title()} script: {text}, done.")
        out.append(f"{text}{name.upper()}{text}")
    # Emoji: single, with modifiers, ZWJ sequences, flags, keycaps, variation selectors, tags.
    emoji = [
        "\U0001F600", "\U0001F44D\U0001F3FD", "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466", "\U0001F1EB\U0001F1F7",
        "\u2764\uFE0F", "1\uFE0F\u20E3", "#\uFE0F\u20E3", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
        "\U0001F9D1\U0001F3FF\u200D\U0001F4BB", "\u263A", "\U0001F1FA\U0001F1F8\U0001F1EC\U0001F1E7", "\U0001F469\u200D\u2764\uFE0F\u200D\U0001F48B\u200D\U0001F468",
        "\U0001F3F3\uFE0F\u200D\U0001F308", "\U0001F436dog\U0001F431cat", "\u00A9\uFE0F", "\U0001F170\uFE0F",
    ]
    out += [f"Emoji{e}here {e} there{e}" for e in emoji]
    # White space and separators that are not line ends for Python's file reading.
    spaces = ["\u00A0", "\u2002", "\u2003", "\u2009", "\u200A", "\u200B", "\u2028", "\u2029", "\u3000", "\u0085", "\u000B", "\u000C",
              "\u180E", "\u202F", "\u205F", "\uFEFF", "\u00AD", "\u200C", "\u200D", "\u2060"]
    out += [f"word{s}word {s}lead and trail{s} \u00E9t\u00E9" for s in spaces]
    # Punctuation, symbols, digits of other scripts, marks alone.
    other = ["\u00AB quoted \u00BB", "\u201Cdouble\u201D \u2018single\u2019", "dash\u2014dash\u2013dash", "\u2026ellipsis\u2026",
             "\u0660\u0661\u0662 arabic digits", "\u0966\u0967 devanagari digits", "\uFF11\uFF12 full width digits", "\u00BD \u2153 fractions",
             "\u20AC5 \u00A3 \u00A5 \u20B9", "\u00B0C \u2103 \u2109", "\u0301\u0302 marks alone", "\u00BFQu\u00E9? \u00A1S\u00ED!",
             "\u3001\u3002\u300C\u300D cjk punctuation", "\u0964 danda", "\u061F\u060C arabic punctuation", "\uFFFD replacement",
             "\uE000\uF8FF private use", "\U000F0000 plane fifteen", "\uFDD0 noncharacter", "\u0378 unassigned"]
    out += [f"Other {s} text" for s in other]
    # Seeded random code points from every plane's assigned blocks (no surrogates, no CR/LF).
    rng = random.Random(20261207)
    for i in range(40):
        chars = []
        for _ in range(rng.randint(3, 12)):
            while True:
                c = rng.choice([rng.randint(0x80, 0x2FF), rng.randint(0x370, 0x1FFF), rng.randint(0x2000, 0x2BFF),
                                rng.randint(0x3000, 0xD7FF), rng.randint(0xF900, 0xFFFD), rng.randint(0x10000, 0x1FAFF),
                                rng.randint(0x20000, 0x2FFFF), rng.randint(0xE0000, 0xE01EF)])
                if c not in (0x0A, 0x0D, 0x1C, 0x1D, 0x1E):
                    break
            chars.append(chr(c))
            if rng.random() < 0.4:
                chars.append(rng.choice(["a", "Z", " ", "q", "K", "s", "i"]))
        out.append("".join(chars))
    for s in out:
        assert "\n" not in s and "\r" not in s, repr(s)
        assert any(ord(c) > 0x7F for c in s), repr(s)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = cases()
    if len(lines) < 200:
        sys.exit(f"only {len(lines)} lines")
    with open(os.path.join(here, "lines.txt"), "w", encoding="utf-8", newline="") as f:
        f.write("".join(line + "\n" for line in lines))
    # Read back as d2l reads a file (text mode, universal newlines), one line end each.
    with open(os.path.join(here, "lines.txt"), encoding="utf-8") as f:
        read = f.readlines()
    assert len(read) == len(lines), (len(read), len(lines))
    with open(os.path.join(here, "expected.txt"), "w", encoding="utf-8", newline="") as f:
        f.write("".join(d2l(line) + "\n" for line in read))
    print(f"{len(lines)} lines; Python {sys.version.split()[0]}, Unicode {unicodedata.unidata_version}")


if __name__ == "__main__":
    main()
