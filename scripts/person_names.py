#!/usr/bin/env python3
"""Print the `person_names` block of params/vocabulary.yaml.

The names are the most common given names of the US census (1990 lists, as shipped in the `names`
PyPI package, 0.3.0), less every name that is also a lower-case English word in Webster's Second
(the `web2` list of the `english-words` PyPI package, 2.0.2): "jack", "grace", "max" stay out, so a
name is only a word nobody says for a thing. Run by hand when the list should change; nothing runs
it at build time:

    pip install names==0.3.0 english-words==2.0.2
    python scripts/person_names.py > /tmp/names.yaml   # then paste over the block
"""
import importlib.resources as res
import textwrap

from english_words import get_english_words_set

# How many of each list, most common first: further down the census lists come spellings that
# are noise to a recogniser ("ja", "nu", "mi").
TOP_FEMALE, TOP_MALE = 1000, 600
# Names the recogniser writes for "robot" ("hey robert find the cat"): never someone else.
SAID_FOR_ROBOT = {"robert", "roberta", "robbie", "robby", "robin"}
# Names that are things to carry as often: a teddy, a toy, a car.
THINGS = {"teddy", "mickey", "kermit", "winnie", "polly", "mercedes"}


def census(kind, top):
    text = (res.files("names") / f"dist.{kind}.first").read_text()
    return [line.split()[0].lower() for line in text.splitlines()[:top]]


def main():
    words = get_english_words_set(["web2"], lower=False, alpha=True)
    names = census("female", TOP_FEMALE) + census("male", TOP_MALE)
    keep = sorted({n for n in names if len(n) >= 3 and n not in words and n not in SAID_FOR_ROBOT | THINGS})
    body = textwrap.fill(", ".join(keep), width=100, initial_indent="  ", subsequent_indent="  ")
    print(f"person_names: [\n{body}]")


if __name__ == "__main__":
    main()
