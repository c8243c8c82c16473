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
# Names web2 also lists as a rare word that nobody says for a thing near a robot ("tommy": a
# soldier, "emma": a signaller's M, "amy", "lucy"), and names common where English is spoken
# outside the US that its 1990 census lacks. A name that is also an everyday word ("jack",
# "grace", "holly", "penny", "terry") stays out.
ALSO = {
    "maria", "jess", "tom", "tommy", "jimmy", "billy", "bobby", "sammy", "sam", "ben", "josh", "jake", "luke", "harry",
    "lewis", "kyle", "barry", "larry", "benny", "nicky", "molly", "tilly", "amy", "lucy", "emma",
    "jenny", "betty", "nancy", "cassie", "ellie", "maisie", "alfie", "zoe", "chloe", "liam",
    "theo", "finn", "lenny", "donny", "reggie", "stevie", "hetty", "aggie", "izzy", "tessie",
    "freddie", "archie", "ollie", "niamh", "siobhan", "aoife", "ciara", "saoirse", "sinead",
    "declan", "ciaran", "callum", "hamish", "fergus", "angus", "morag", "kirsty", "ailsa",
    "rhys", "dylan", "gethin", "cerys", "bronwen", "priya", "anjali", "rohan", "arjun", "aarav",
    "amina", "fatima", "aisha", "wanjiku", "wanjiru", "njeri", "akinyi", "otieno", "kamau",
    "chinedu", "ngozi", "emeka", "tunde", "kemi", "thabo", "sipho", "lerato", "zanele",
}

# Given names common since the 1990 census (top names of births in the US, England and Wales,
# 2000-2020), which its lists lack: "can you find the red crayon for jayden".
MODERN = {
    "jayden", "aiden", "ayden", "brayden", "kayden", "caden", "jaden", "aidan", "hayden", "jaxon", "jaxson",
    "ryder", "easton", "colton", "landon", "cooper", "brody", "bentley", "grayson", "greyson", "kingston",
    "jenson", "harley", "riley", "kai", "leo", "arlo", "ezra", "rory", "reuben", "oscar", "alfie", "freddie",
    "harrison", "ethan", "logan", "mason", "noah", "lucas", "elijah", "isaiah", "josiah", "xavier", "zachary",
    "zara", "zoe", "isla", "freya", "evie", "sienna", "imogen", "phoebe", "harper", "aria", "ariana",
    "nevaeh", "madison", "addison", "kinsley", "brooklyn", "skylar", "kayla", "makayla", "mackenzie",
    "aaliyah", "layla", "leila", "lila", "lola", "mila", "nia", "esme", "maya", "ava", "mia", "ella",
    "amelia", "olivia", "isabella", "sophia", "sofia", "chloe", "abigail", "emily", "grace", "lily",
    "yossi", "ahmed", "mohammed", "muhammad", "omar", "yusuf", "ali", "zain", "aryan", "dev", "ravi",
}

# Given names common in Britain and Ireland, and among Britons of South Asian and African descent,
# that the US lists lack or web2 lists as a rare word ("laura", "kelly", "anna"): "kieran put that
# down now" is said to Kieran.
BRITAIN = {
    "kieran", "gareth", "dafydd", "iwan", "ffion", "bethan", "orla", "roisin", "caoimhe", "eilidh", "seren", "rhian",
    "sian", "carys", "aled", "rhodri", "owain", "connor", "rory", "kai", "dexter", "luca", "jude", "kian", "finley",
    "sebastian", "scarlett", "lexi", "hayley", "kerry", "gemma", "nicola", "donna", "laura", "kelly", "ava", "anna",
    "amelia", "sophia", "benjamin", "riley", "abigail", "colin", "eric", "walter", "vera", "irene", "ethel", "mavis",
    "dougie", "wilf", "geoff", "nigel", "clive", "gavin", "hamza", "ibrahim", "bilal", "zainab", "maryam", "mohammad",
    "sanjay", "deepak", "anil", "sunil", "rajesh", "suresh", "vijay", "kavita", "sunita", "neha", "pooja", "divya",
    "chidi", "femi", "funmi", "yemi", "seun", "tope", "kwame", "kofi", "akua", "abena", "kojo", "adwoa",
    # Shortened, as they are called across a room ("kev back it up two metres youre fine").
    "kev", "baz", "gaz", "daz", "shaz", "shazza", "trev", "nige", "gav", "bev", "jules", "mags", "kez", "micky",
    "stevie", "davey", "jonno", "robbo", "smithy", "tommo", "macca", "jez", "dunc", "deano", "ana",
}

# Names people give their dogs and cats that are no word: said first or last, they address the
# pet ("rex come here boy", "drop it bella"), not the robot.
PETS = {
    "rex", "fido", "bella", "luna", "milo", "coco", "bailey", "zeus", "simba", "nala", "toby", "bruno",
    "loki", "benji", "gizmo", "tigger", "pippa", "murphy", "ozzy", "alfie",
}


def census(kind, top):
    text = (res.files("names") / f"dist.{kind}.first").read_text()
    return [line.split()[0].lower() for line in text.splitlines()[:top]]


def main():
    words = get_english_words_set(["web2"], lower=False, alpha=True)
    names = census("female", TOP_FEMALE) + census("male", TOP_MALE)
    modern = {n for n in MODERN if n not in words}
    keep = sorted({n for n in names if len(n) >= 3 and n not in words and n not in SAID_FOR_ROBOT | THINGS} | ALSO | BRITAIN | PETS | modern)
    body = textwrap.fill(", ".join(keep), width=100, initial_indent="  ", subsequent_indent="  ")
    print(f"person_names: [\n{body}]")


if __name__ == "__main__":
    main()
