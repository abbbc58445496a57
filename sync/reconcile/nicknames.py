"""Nickname and short-form table: every variant maps to one canonical first name.

A hand-curated list of common English, Spanish, Portuguese, German, French and Italian
diminutives. Keys and values are accent-folded and lower case (see ``normalize.fold``).
"""

from __future__ import annotations

__all__ = ["NICKNAMES", "name_forms", "same_first_name"]

_GROUPS = {
    "robert": "bob bobby rob robbie bert",
    "william": "bill billy will willy liam",
    "richard": "rick ricky dick rich richie",
    "james": "jim jimmy jamie",
    "john": "jack johnny jon",
    "jonathan": "jon jonny",
    "michael": "mike mikey mick",
    "thomas": "tom tommy",
    "christopher": "chris kit topher",
    "christine": "chris chrissy tina",
    "daniel": "dan danny",
    "david": "dave davy",
    "joseph": "joe joey",
    "charles": "charlie chuck chas",
    "edward": "ed eddie ted ned",
    "anthony": "tony",
    "andrew": "andy drew",
    "matthew": "matt matty",
    "steven": "steve stevie",
    "stephen": "steve stevie",
    "nicholas": "nick nicky",
    "benjamin": "ben benny",
    "alexander": "alex xander sasha",
    "alexandra": "alex sandra lexi",
    "samuel": "sam sammy",
    "samantha": "sam sammy",
    "timothy": "tim timmy",
    "patrick": "pat paddy",
    "patricia": "pat patty trish",
    "gregory": "greg",
    "kenneth": "ken kenny",
    "ronald": "ron ronnie",
    "donald": "don donnie",
    "lawrence": "larry",
    "raymond": "ray",
    "gerald": "jerry gerry",
    "peter": "pete",
    "frederick": "fred freddie",
    "elizabeth": "liz lizzie beth betty eliza",
    "margaret": "maggie meg peggy marge",
    "katherine": "kate katie kathy kat",
    "catherine": "cathy cate kate",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "rebecca": "becky becca",
    "susan": "sue susie suzy suzie",
    "deborah": "deb debbie",
    "victoria": "vicky tori",
    "barbara": "barb babs",
    "dorothy": "dot dottie",
    "abigail": "abby",
    "emily": "em emmy",
    "kimberly": "kim",
    "sandra": "sandy",
    "amanda": "mandy",
    "cynthia": "cindy",
    "kathleen": "kathy kath",
    "angela": "angie",
    "nicole": "nikki nicky",
    "jacob": "jake",
    "henry": "hank harry",
    "harold": "harry hal",
    "nathan": "nate",
    "oliver": "ollie",
    "charlotte": "lottie charlie",
    "amelia": "millie",
    "isabella": "bella izzy",
    "evelyn": "evie",
    "jose": "pepe chema",
    "francisco": "paco pancho curro fran",
    "francisca": "paca paquita",
    "manuel": "manolo manu",
    "ignacio": "nacho",
    "jesus": "chucho chuy chus",
    "guillermo": "memo guille",
    "enrique": "quique kike",
    "alejandro": "alex ale",
    "antonio": "toni tono anton",
    "eduardo": "edu lalo",
    "dolores": "lola",
    "concepcion": "concha conchita",
    "rosario": "charo",
    "mercedes": "merche",
    "fernando": "nando",
    "joaquin": "quino",
    "pilar": "pili",
    "maria": "mari",
    "josefa": "pepa",
    "joao": "joaozinho",
    "johannes": "hans",
    "wolfgang": "wolf",
    "ursula": "uschi",
    "friedrich": "fritz",
    "giuseppe": "beppe peppe",
    "francesco": "cesco",
    "giovanni": "gianni",
    "stefan": "steffi steff",
    "stefanie": "steffi steff",
    "katharina": "kathi katja",
    "matthias": "matze matti",
    "andreas": "andi andy",
    "sebastien": "seb bastien",
    "sebastian": "seb basti",
    "francesca": "franci franca",
}

NICKNAMES: dict[str, frozenset[str]] = {}
for _canonical, _variants in sorted(_GROUPS.items()):
    for _name in (_canonical, *_variants.split()):
        # A short form may belong to several names (chris: christopher, christine).
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset()) | {_canonical}


def name_forms(folded: str) -> frozenset[str]:
    """The folded name and every canonical name it may stand for (``bob`` -> bob, robert)."""
    return NICKNAMES.get(folded, frozenset()) | {folded}


def same_first_name(a: str, b: str) -> bool:
    """Whether two folded first names are the same name up to nicknames."""
    return a == b or bool(name_forms(a) & name_forms(b))
