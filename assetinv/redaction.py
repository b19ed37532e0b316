"""Redaction of interview quotes: names, phone numbers, e-mail, handles, URLs, ids.

:func:`redact` is applied to every quote before it reaches a report, a table
or a workbook (``assetinv.qualitative.exemplar_quotes`` and the joint display
call it). It works on Unicode text (``José Hernández``, ``Zoë Brontë``,
``O'Neill``, ``Smith-Jones``), finds phone numbers of any country with the
``phonenumbers`` library (Google's libphonenumber), and can be given the
names and respondent ids known from the data.

Its recall and precision on the labelled corpus in
``tests/test_redaction_corpus.py`` are reported in ``docs/privacy.md``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

__all__ = [
    "redact",
    "read_redact_names",
    "NAME_ALLOWLIST",
    "NOT_LONE_NAMES",
    "SENTENCE_STARTERS",
    "PHONE_REGIONS",
]

# ----------------------------------------------------------------------------------------- word lists
#: Capitalised words that are not people's names in this domain (a run of
#: capitalised words containing one of these is left alone).
NAME_ALLOWLIST = frozenset(
    """
    School Schools District Districts Elementary Middle High Academy Charter Campus University College
    Science Sciences Math Maths Mathematics Engineering Technology Stem Steam STEM Computer Physics Chemistry
    Biology Algebra Geometry Calculus Statistics English Spanish French German Chinese Arabic History Social
    Studies Art Arts Music Literacy Reading Writing Language Languages Earth Life Physical Environmental
    Professional Learning Community Communities Development Network Networks Partnership Partner Partners
    Coach Coaches Coaching Team Teams Department Departments Lab Labs Center Centre Office Board Council
    Committee Program Programme Project Projects Initiative Institute Foundation Standards Standard
    Next Generation Common Core Title Advanced Placement International Baccalaureate Grade Grades
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Spring Summer Fall Autumn Winter Google Classroom Zoom
    Canvas Microsoft Teams Slack Excel Teacher Teachers Leader Leaders Leadership Principal Principals
    Assistant Superintendent Director Coordinator Specialist Instructional Curriculum Assessment Data
    State Department Education National American Association Council Day Week Year Unit Units Lesson
    Lessons Plan Plans The This That These Those Our Their We They He She It And But Or So If When Then
    Also Every All Some Most Many Few Yes No Not Now Here There What Why How Who Where Which
    Expertise Mindset Cultural Norms Structures Collaborative Asset Inventory Survey Interview
    Club Clubs Robotics Room Hall Library Gym Cafeteria Street Avenue Road Park City County Town North
    South East West New Saint Lake River Mount Fort Beach Valley Hills Heights Springs Central Union
    Public Unified Independent Regional Catholic Christian Lutheran Baptist Prep Preparatory Magnet
    Fair Festival Night Break Conference Summit Workshop Olympiad Bowl League Camp Christmas Easter
    Thanksgiving Ramadan Diwali Hanukkah Monday's Friday's English-Language Algebra-I Pre-Algebra
    Kindergarten Pre-K Freshman Sophomore Junior Senior Seniors Juniors Honors Honours AP IB PLC PLCs
    NGSS SAT ACT PD IEP ELL ELA ESL STEAM CS Python Scratch Minecraft Desmos Khan Kahoot Nearpod Seesaw
    Chromebook Chromebooks iPad iPads Internet Wi-Fi OK Okay Mr Mrs Ms Dr Mx Miss Prof Professor Dean
    Counselor Counsellor Instructional Coaching Family Families Parent Parents Student Students Kids
    Covid COVID Pandemic Zoom's Black Latino Latina Latinx Hispanic Asian Native Indigenous African
    European Americans God Lord Jesus Bible Week Weeks Month Months Morning Afternoon Evening Quarter
    Semester Term Terms Period Block Homeroom Advisory Test Tests Exam Exams Quiz Quizzes Rubric
    San Santa Los Las Angeles Francisco Diego Antonio York Jersey Hong Kong Puerto Rico Costa Rica
    Carolina Dakota Virginia Island Islands Bay Coast Metro Greater Upper Lower Old Little Big
    """.split()
)

#: Words that often open a sentence: at the start of a sentence a capitalised
#: pair is not taken as a name when its first word is one of these.
SENTENCE_STARTERS = frozenset(
    """
    A An The This That These Those There Here Then Now Our Your My His Her Its Their We You They He She It
    I I'd I'm I've I'll We're We've They're You're Let Lets Let's Ask Tell Call Email Write Talk Thanks Thank
    Please Maybe Perhaps Honestly Really Actually Basically Obviously Well Okay Ok So And But Or Yet Because
    Since When While Where Why How What Who Whom Whose Which If Unless Although Though Even Every Each Some
    Any Most Many Much More Less Few All Both Either Neither No Not Nobody Everyone Everybody Someone Somebody
    Anyone Nothing Everything Something Last Next First Second Third Finally Also Still Just Only Yes Sure
    Good Great Right Oh Um Uh Er Hmm Yeah Mm After Before During Until From With Without Into Onto About
    Above Below Over Under Between Through Across Against Along Among Around Behind Beyond Inside Outside
    Within Once Twice Often Usually Sometimes Always Never Again Instead Otherwise However Therefore
    Meanwhile Like Unlike As At By For In Of On To Up Down Off Out Go Come See Look Take Give Make Get Try
    Use Ms Mr Mrs Dr Miss Mx Prof Professor Principal Coach Superintendent Dean Teacher Teachers Kids
    Students Parents Overall Frankly Personally Mostly Definitely Absolutely Certainly Probably Especially
    Initially Eventually Recently Lately Currently Generally Typically Luckily Unfortunately Fortunately
    Interviewer Respondent Participant Speaker Teacher Leader Q A Anyway Anyhow Besides Also Plus Whereas
    Having Being Working Teaching Planning Looking Thinking Getting Doing Going Trying Seeing Coming
    Today Tomorrow Yesterday Tonight Later Earlier Sometime Someday
    """.split()
)

#: Given names that are also ordinary English words, units or STEM eponyms: the given-name lexicon
#: (:func:`_first_names`) does not take them as names on their own ("May", "Will", "Newton's laws").
NOT_LONE_NAMES = frozenset(
    """
    Will May June April August Grace Hope Faith Joy Rose Mark Bill Art Dawn Summer Autumn Winter Amber Ruby
    Jade Iris Lily Daisy Violet Holly Ivy Sky River Rich Chase Hunter Page Sage Dean Miles Wade Ray Guy Pat
    Sue Don Bob Penny Sandy Angel Frank Earnest Christian Harmony Trinity Destiny Justice Precious Sunny
    Star Taylor Mason Carter Cooper Baker Parker Porter Tanner Archer Fisher Hunter Royal King Prince Major
    Rocky Buddy Honey Candy Cherry Ginger Olive Pearl Crystal Diamond Jasmine Heather Forest Glen Dale
    Cliff Rob Max Gene Kelvin Newton Darwin Franklin Mars Venus Jupiter Mercury Saturn Atlas Euler Gauss
    Pascal Joule Watt Ampere Volta Hertz Tesla Edison Galileo Kepler Hubble Curie Faraday Celsius Hooke
    Boyle Charles Avogadro Doppler Fibonacci Pythagoras Archimedes Euclid Mendel Punnett Bunsen Einstein
    Nobel Morse Braille Fahrenheit Rube Lego Alexa Siri Cortana Echo Apple Amazon Paris Florence Sydney
    Victoria Georgia Virginia Carolina Dakota Jordan Chad Israel India China Kenya Lincoln Washington
    Jefferson Madison Jackson Adams Monroe Houston Austin Dallas Denver Phoenix Orlando Savannah Charlotte
    Tyler Troy Regina Salem Aurora Eugene Elgin Alma Ada Ruby Python Java Julia Scratch Swift Rust Go
    Sat Sun Mon Tue Wed Thu Fri Min Mio Key Bay Gay Kit Kim Lee Jan Ben Tim Tom Ted Nat Val
    Lane Drew Reed Reid Gray Grey Brown Green White Black Young Long Hall Hill Wood Woods Moon Love
    Nova Luna Stella Sol Terra Gaia Alpha Beta Delta Gamma Sigma Omega
    Add Can Ever Else Era Less Lot Man Mad Sad Son Sing Long Link Lady Park Pink Rock Rod Roll Rush Tan
    Tiny Toy True Ward Wash West Wing Wolf Bell Bird Boss Buck Bush Case Chip Clay Doc Doll Dot Dove Duke
    Earl Edit Fate Fawn Fern Ford Gun Hale Ham Hank Hart Herb Hunt Jack Jet Joke Lark Mist Oral Rice Tab
    Per Job Con Fed Nil Van Von Del Ibn Bud Baby Babe Ace Alto Alfa Aria Asia Cuba Rome Nile Etna Avon
    Patience Constance Prudence Mercy Charity Honor Honour Liberty Melody Serenity Unity Bliss Blossom
    Sunshine Rain Storm Snow Spring Dusk Ocean Brook Meadow Willow Aspen Cedar Maple Birch Ash Oak Stone
    Flint Steel Gold Silver Coral Jasper Onyx Treasure Lucky Happy Merry Bright Wisdom Genius Legend Hero
    Victory Champion Freedom Journey Story Poem Lyric Music Song Dance Rhythm Blue Red Poppy Tulip Hazel
    Pepper Sugar Cookie Berry Peach Plum Clementine Kale Basil Rosemary Thyme Money Price Deal Gift Bonus
    Early Fair Noble Worthy Just Able Young Sterling Sonny Marshal Marshall Bishop Pastor Deacon Abbott
    Major Colonel General Captain Admiral Judge Sheriff Mayor Doctor Nurse Coach Principal Dean Chancellor
    """.split()
)

#: Places (US states, large cities, countries) that are also given names in the lexicon: not taken as a
#: person on their own ("Boston is a long drive", "The Texas standards").
_PLACES = frozenset(
    """
    Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho
    Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota
    Mississippi Missouri Montana Nebraska Nevada Hampshire Jersey Mexico York Carolina Dakota Ohio Oklahoma
    Oregon Pennsylvania Rhode Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming
    Boston Chicago Houston Austin Dallas Denver Phoenix Seattle Portland Atlanta Miami Tampa Orlando Detroit
    Cleveland Columbus Memphis Nashville Charlotte Raleigh Richmond Baltimore Camden Newark Brooklyn Bronx
    Queens Harlem Chelsea Berkeley Oakland Sacramento Fresno Tucson Albuquerque Omaha Tulsa Wichita Boise
    Reno Vegas Jackson Madison Lincoln Trenton Albany Buffalo Rochester Syracuse Dayton Toledo Akron Eugene
    Salem Aurora Savannah Augusta Florence Sydney Melbourne Adelaide Perth Brisbane Darwin Auckland
    Wellington London Paris Berlin Madrid Lisbon Rome Milan Vienna Geneva Zurich Dublin Cork Galway Oslo
    Lima Quito Bogota Santiago Havana Cairo Lagos Nairobi Accra Delhi Mumbai Manila Tokyo Seoul Beijing
    Toronto Montreal Quebec Ottawa Calgary Vancouver Regina Victoria Alberta Ontario Kenya Ghana Nigeria
    Chad Jordan Israel India China Japan Brazil Chile Peru Cuba Haiti Jamaica Egypt Ireland Scotland Wales
    England France Germany Spain Italy Greece Norway Sweden Poland Russia Ukraine Turkey Iran Iraq Syria
    Africa Asia Europe America Australia Yellowstone Yosemite Appalachia Chesapeake Everest Sahara Amazon
    """.split()
)

#: Nouns after a possessive that make it an eponym, not a person ("Ohm's law", "Pascal's triangle").
_EPONYM_NOUNS = (
    r"law|laws|principle|constant|theorem|equation|equations|rule|rules|number|numbers|method|model|paradox|"
    r"razor|triangle|ratio|cycle|effect|disease|syndrome|scale|formula|experiment|apparatus|cradle|pendulum|"
    r"spiral|sequence|identity|lemma|conjecture|hypothesis|theory|postulate|test|series|sieve|algorithm"
)

#: Common lower-case words that never follow a title as a name ("the Dr. and ...").
_COMMON = frozenset(
    """
    a an the and or but so if then than that this these those there here is are was were be been being
    am do does did done has have had having will would shall should can could may might must to of in on
    at by for from with without into onto about as like said says say told asked who whom whose which what
    when where why how it its he she they we you i me him her them us our their my your his not no yes
    also just only very really too again all any each every some most many much more less few both either
    neither one two three four five six seven eight nine ten said came went got gets come comes says
    in-person later now today tomorrow yesterday office room class lab team kids students teachers
    """.split()
)

_HONORIFIC = r"mrs|mr|ms|mx|miss|dr|prof|mister|madam|mme|mlle|sra|sr|srta|herr|frau"
_ROLE_TITLE = r"principal|coach|superintendent|dean|professor|counsel(?:l)?or|director|coordinator"
#: Role nouns after which an appositive name follows ("our principal, Okafor, ...").
_APPOSITIVE_ROLE = (
    r"principal|vice[ -]principal|assistant principal|coach|superintendent|dean|counsel(?:l)?or|coordinator|"
    r"specialist|librarian|mentor|teacher|colleague|partner|director|facilitator|department head|head|chair|"
    r"lead|AP|supervisor|secretary|custodian|aide|para(?:professional)?|interventionist|neighbou?r|friend|"
    r"co-teacher|team lead|instructor"
)
#: Words that, after a lone capitalised word, mark it as a person ("Okafor said", "Dana and I").
_PERSON_AFTER = (
    r"said|says|told|tells|asked|asks|mentioned|suggested|thinks|thought|wants|wanted|showed|shows|shared|"
    r"shares|helped|helps|runs|ran|leads|led|explained|explains|emailed|texted|called|came|comes|noticed|"
    r"modeled|modelled|models|observed|observes|organized|organised|organizes|taught|teaches|started|"
    r"does|did|is always|was always|has been|and I|and me|, who|who"
)
#: Nouns after a possessive that mark a person ("Hyun-woo's lesson", "Keisha's classroom").
_PERSON_POSSESSION = (
    r"class|classes|room|classroom|team|lesson|lessons|idea|ideas|kids|students|unit|lab|office|desk|"
    r"course|group|slides|binder|notes|mentor|husband|wife|son|daughter|mom|dad"
)
#: Words that, before a lone capitalised word, mark it as a person ("I asked Dana", "with Okafor").
_PERSON_BEFORE = (
    r"asked for|ask for|asked|ask|told|tell|emailed|email|texted|text|called|call|thanked|thank|met with|meet with|"
    r"worked with|work with|talked to|talk to|spoke to|speak to|spoke with|talked with|"
    r"paired with|partnered with|co-teach with|co-taught with|shadowed|observed|hired|mentored|"
    r"lean on|leans on|leaned on|rely on|relies on|relied on|count on|depend on|depends on|turn to|turned to"
)

# Letters (any script) with inner apostrophes or hyphens: José, Zoë, O'Neill, Smith-Jones.
_L = r"[^\W\d_]"
_WORD = rf"{_L}+(?:['\u2019\-](?!s\b){_L}+)*"  # a possessive 's is not part of the name
_TOKEN = re.compile(_WORD)

# ----------------------------------------------------------------------------------------- patterns
_URL = re.compile(
    r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>\"')\]]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:com|org|net|edu|gov|io|us|uk|ca|au|fr|de|info|ly|me|co)"
    r"(?:/[^\s<>\"')\]]*)?(?![\w@])"
)
_EMAIL = re.compile(r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+")
_HANDLE = re.compile(r"(?<![\w@/.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
_US_PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w-])"
    r"|(?<![\w-])\d{3}-\d{4}(?![\w-])"
    r"|(?<![\w.-])\d{10}(?![\w.-])"
)
_EXTENSION = re.compile(r"^,?\s*(?:x|ext\.?|extension)\s?\d{1,5}", re.I)

#: Regions whose national number formats are recognised without a country code
#: (numbers written with ``+`` and a country code are recognised for every country).
PHONE_REGIONS = (
    "US",
    "GB",
    "FR",
    "DE",
    "ES",
    "IT",
    "IE",
    "AU",
    "NZ",
    "IN",
    "MX",
    "BR",
    "ZA",
    "NG",
    "KE",
    "PH",
)


def _lexicon(name: str) -> list[str]:
    path = Path(__file__).parent / "data" / name
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()]
    return [w for w in words if w and not w.startswith("#")]


def _fold(s: str) -> str:
    """Lower case without accents ("Siobhán" -> "siobhan"), to look a word up in the lexicons."""
    return "".join(ch for ch in unicodedata.normalize("NFD", s.lower()) if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Given names of many languages (``assetinv/data/first_names.txt``, from Faker's lists; MIT licence)."""
    return frozenset(_lexicon("first_names.txt")) - NOT_LONE_NAMES - _PLACES


@lru_cache(maxsize=1)
def _name_words() -> frozenset[str]:
    """Names that are also lower-case English words ("grant", "will"), folded (``data/name_words.txt``)."""
    return frozenset(_lexicon("name_words.txt")) | {_fold(w) for w in NOT_LONE_NAMES | _PLACES}


@lru_cache(maxsize=1)
def _folded_first() -> frozenset[str]:
    """The given names folded (accents off, lower case), minus those that are English words."""
    return frozenset(_fold(w) for w in _first_names()) - _name_words()


@lru_cache(maxsize=1)
def _folded_last() -> frozenset[str]:
    """Faker's last names (``data/last_names.txt``), folded, minus those that are English words."""
    return frozenset(_fold(w) for w in _lexicon("last_names.txt")) - _name_words()


def _lexicon_word(w: str, *, last: bool = False) -> bool:
    """A word (every part of a hyphenated one) that is a given name (or, with ``last``, a last name) and no
    English word, in any case and with or without its accents ("nguyen", "reyes-whitaker", "Siobhán").
    """
    parts = [_fold(p) for p in re.split(r"[-'\u2019]", w) if p]
    if not parts or any(len(p) < 2 or p in _COMMON for p in parts) or len(w) < 3:
        return False
    pool = _folded_first() | _folded_last() if last else _folded_first()
    return all(p in pool for p in parts)


def _cap(tok: str) -> bool:
    """A capitalised word (first letter upper case, some lower case): a candidate name part."""
    return tok[:1].isupper() and any(ch.islower() for ch in tok)


def _allowed(tok: str) -> bool:
    base = re.sub(r"['\u2019]s$", "", tok)
    return (
        tok in NAME_ALLOWLIST
        or base in NAME_ALLOWLIST
        or tok.capitalize() in NAME_ALLOWLIST
        and tok.isupper()
    )


def _is_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"'\u201c\u2018(\u2014-")
    return before == "" or before[-1] in ".!?:\n;\u2026"


# ----------------------------------------------------------------------------------------- steps
def _sub_phones(text: str, regions: Iterable[str]) -> str:
    import phonenumbers
    from phonenumbers import Leniency

    spans: list[tuple[int, int]] = []
    for region in regions:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
            digits = sum(ch.isdigit() for ch in m.raw_string)
            intl = m.raw_string.lstrip("(").startswith("+")
            if digits >= 9 or (intl and digits >= 8):
                end = m.end
                ext = _EXTENSION.match(text[end:])
                spans.append((m.start, end + (ext.end() if ext else 0)))
    spans += [(m.start(), m.end()) for m in _US_PHONE.finditer(text)]
    return _replace_spans(text, spans, "[phone]")


def _replace_spans(text: str, spans: list[tuple[int, int]], token: str) -> str:
    if not spans:
        return text
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, last = [], 0
    for s, e in merged:
        out.append(text[last:s])
        out.append(token)
        last = e
    out.append(text[last:])
    return "".join(out)


#: Name particles that may stand between the capitalised parts of one name ("Seán Ó Briain", "Ludwig van Beethoven").
_PARTICLES = frozenset(
    "de del della da di dos das du van von der den ter la le bin ibn al el Ó Ní Nic Mac Ua".split()
)


_TITLE = re.compile(
    rf"(?<![\w\[])(?P<title>(?i:{_HONORIFIC})|(?i:{_ROLE_TITLE}))"
    rf"(?P<sep>\.[ \t]*|[ \t]+)(?P<name>{_WORD})"
)
_NEXT_WORD = re.compile(rf"[ \t]+({_WORD})")


def _title_name_ok(m: re.Match) -> bool:
    title, sep, name = m.group("title"), m.group("sep"), m.group("name")
    honorific = re.fullmatch(_HONORIFIC, title, re.I) is not None
    if title.isupper() and len(title) == 2 and "." not in sep:
        # "MS Science" is a middle school; "MS SMITH" (all capitals) is a person
        if not name.isupper() or _allowed(name):
            return False
    if name.lower() in _COMMON or (_allowed(name) and not name.isupper()):
        return False
    if name.isupper() and len(name) > 1:
        return (
            (honorific or title.isupper())
            and name.capitalize() not in NAME_ALLOWLIST
            and name not in NAME_ALLOWLIST
        )
    if name[:1].isupper():
        return True
    # a lower-case name after an honorific with a full stop ("mr. smith"), or after mr/mrs/ms/mx ("mr okonkwo")
    if honorific and ("." in sep or title.lower() in ("mr", "mrs", "ms", "mx", "dr")):
        return True
    # after a role title ("principal nguyen", "coach reyes-whitaker"): a word of the name lexicons, no English word
    return _lexicon_word(name, last=True)


def _titles(text: str) -> str:
    """A title and the name after it (up to two more name words) become ``[name]``."""
    spans = []
    for m in _TITLE.finditer(text):
        if not _title_name_ok(m):
            continue
        name = m.group("name")
        end = m.end()
        for _ in range(2):
            nxt = _NEXT_WORD.match(text, end)
            if not nxt:
                break
            w = nxt.group(1)
            same_case = name.isupper() and w.isupper() and len(w) > 1
            if w in _PARTICLES:  # "Mr. Van der Berg"
                after = _NEXT_WORD.match(text, nxt.end())
                if after and _cap(after.group(1)):
                    end = after.end()
                    continue
                break
            lower_name = name.islower() and w.islower() and _lexicon_word(w, last=True)  # "dr. maria nguyen"
            if ((_cap(w) or same_case) and not _allowed(w) and w.lower() not in _COMMON) or lower_name:
                end = nxt.end()
            else:
                break
        spans.append((m.start(), end))
    return _replace_spans(text, spans, "[name]")


_APPOSITIVE = re.compile(
    rf"(?i:\b(?:{_APPOSITIVE_ROLE}))(?P<comma>[ \t]*,[ \t]+)(?P<name>{_WORD}(?:[ \t]+{_WORD}){{0,2}})"
    rf"(?=[ \t]*(?:[,.;:!?)\u2014]|$|[ \t]+(?:and|who|said|says|told|asked)\b))"
)


def _appositive_sub(m: re.Match) -> str:
    words = _TOKEN.findall(m.group("name"))
    if not words or not all(_cap(w) and not _allowed(w) and w not in SENTENCE_STARTERS for w in words):
        return m.group(0)
    return m.group(0)[: m.start("name") - m.start()] + "[name]"


_PERSON_CONTEXT_AFTER = re.compile(
    rf"(?<![\w'\u2019-])(?P<name>{_WORD})(?=[ \t]*,?[ \t]+(?:{_PERSON_AFTER})\b"
    rf"|(?:'s|\u2019s)[ \t]+(?:{_PERSON_POSSESSION})\b)"
)
_PERSON_CONTEXT_BEFORE = re.compile(
    rf"(?i:\b(?:{_PERSON_BEFORE}))[ \t]+(?P<name>{_WORD})"
    # "we go to Oluwaseun for the spreadsheets": going to someone for something
    rf"|(?i:\b(?:go|goes|went|going)[ \t]+to)[ \t]+(?P<name2>{_WORD})(?=[ \t]+for\b)"
)
# ", Okonjo," after a lower-case word: an appositive name after any noun phrase ("the head of science, Okonjo,")
_PERSON_APPOSITIVE_ANY = re.compile(rf"(?<=[a-z\u00df-\u00ff]),[ \t]+(?P<name>{_WORD}),")


def _after_determiner(text: str, pos: int) -> bool:
    """The word before ``pos`` is an article or determiner ("The Way runs ...": not a person)."""
    m = re.search(r"([^\W\d_]+)[ \t]+$", text[:pos])
    return m is not None and m.group(1).lower() in _DETERMINERS


def _lone_names(text: str) -> str:
    spans = []
    for pat in (_PERSON_CONTEXT_AFTER, _PERSON_CONTEXT_BEFORE, _PERSON_APPOSITIVE_ANY):
        for m in pat.finditer(text):
            g = "name2" if "name2" in pat.groupindex and m.group("name2") else "name"
            w = m.group(g)
            if g == "name2" and (w in _PLACES or w in NOT_LONE_NAMES):
                continue
            if not _cap(w) or _allowed(w) or w in SENTENCE_STARTERS or w.lower() in _COMMON:
                continue
            if w in ("I", "I'm") or _after_determiner(text, m.start(g)):
                continue
            spans.append((m.start(g), m.end(g)))
    return _replace_spans(text, spans, "[name]")


#: Speaker labels of transcripts that are roles, not people ("INTERVIEWER:", "P3:", "T2:").
_ROLE_LABELS = frozenset(
    """
    INTERVIEWER INTERVIEWEE RESPONDENT PARTICIPANT SPEAKER MODERATOR FACILITATOR TEACHER LEADER PRINCIPAL
    COACH OBSERVER NOTE NOTES TRANSCRIBER CROSSTALK INAUDIBLE Q A I R P T L IV INT RESP PART
    """.split()
)
_SPEAKER = re.compile(rf"(?:^|(?<=[.?!\n]) |(?<=\n))(?P<name>{_WORD})(?=:[ \t])", re.MULTILINE)
_POSSESSIVE = re.compile(
    rf"(?<![\w'\u2019-])(?P<name>{_WORD})(?=['\u2019]s[ \t]+(?!(?:{_EPONYM_NOUNS})\b)[a-z])"
)


def _speakers_and_possessives(text: str) -> str:
    """A speaker label that is a name ("DANA:", "Dana:") and a possessive before a common noun
    ("Deborah's pacing guide", "Krause's unit") become ``[name]``.
    """
    spans = []
    for m in _SPEAKER.finditer(text):
        w = m.group("name")
        if w.upper() in _ROLE_LABELS or re.fullmatch(r"[A-Z]{1,3}\d*", w):
            continue
        if (w.isupper() and len(w) > 1 and w.capitalize() not in NAME_ALLOWLIST) or w in _first_names():
            spans.append((m.start("name"), m.end("name")))
    for m in _POSSESSIVE.finditer(text):
        w = m.group("name")
        if (
            _cap(w)
            and not _allowed(w)
            and w not in SENTENCE_STARTERS
            and w not in NOT_LONE_NAMES
            and w not in _PLACES
            and w.lower() not in _COMMON
        ):
            spans.append((m.start("name"), m.end("name")))
    return _replace_spans(text, spans, "[name]")


_DETERMINERS = frozenset("the a an this that these those every each no any another".split())


def _lexicon_skip(text: str, toks: list, i: int) -> bool:
    """Why a lexicon given name at ``toks[i]`` is not taken alone: inside a longer capitalised phrase
    ("Franklin Institute"), after a determiner ("the Way"), or an English word opening a sentence
    ("Grant money paid for it").
    """
    t = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and re.fullmatch(r"[ \t]+", text[t.end() : nxt.start()]) and _cap(nxt.group(0)):
        return True
    prv = toks[i - 1] if i else None
    if prv is None or not re.fullmatch(r"[ \t]+", text[prv.end() : t.start()]):
        return _is_sentence_start(text, t.start()) and _fold(t.group(0)) in _name_words()
    if prv.group(0).lower() in _DETERMINERS:
        return True
    return (
        _cap(prv.group(0)) and not _is_sentence_start(text, prv.start()) and not _allowed(prv.group(0))
    ) or (_is_sentence_start(text, t.start()) and _fold(t.group(0)) in _name_words())


def _lexicon_names(text: str) -> str:
    """A lone capitalised word that is a given name (:func:`_first_names`, with or without its accents)
    becomes ``[name]``, unless :func:`_lexicon_skip` says it is something else.
    """
    names = _first_names()
    toks = list(_TOKEN.finditer(text))
    spans = []
    for i, t in enumerate(toks):
        w = t.group(0)
        known = w in names or (_cap(w) and _fold(w) in _folded_first())
        if not known or _allowed(w) or w in SENTENCE_STARTERS or _lexicon_skip(text, toks, i):
            continue
        spans.append((t.start(), t.end()))
    return _replace_spans(text, spans, "[name]")


def _lowercase_names(text: str) -> str:
    """A given name written in lower case ("yeah so tomasz handles it"), and a last name after it
    ("sinead gallagher"), become ``[name]`` when no English word is spelt the same (:func:`_lexicon_word`).
    """
    toks = list(_TOKEN.finditer(text))
    spans = []
    i = 0
    while i < len(toks):
        t = toks[i]
        w = t.group(0)
        if (
            not w.islower()
            or len(w) < 4
            or text[max(t.start() - 1, 0) : t.start()] == "["
            or not _lexicon_word(w)
        ):
            i += 1
            continue
        end = t.end()
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (
            nxt is not None
            and nxt.group(0).islower()
            and re.fullmatch(r"[ \t]+", text[t.end() : nxt.start()])
        ):
            if _lexicon_word(nxt.group(0), last=True):
                end, i = nxt.end(), i + 1
        spans.append((t.start(), end))
        i += 1
    return _replace_spans(text, spans, "[name]")


@lru_cache(maxsize=1)
def _all_last() -> frozenset[str]:
    """Every last name of the lexicon, folded, English words included ("park", "hall")."""
    return frozenset(_fold(w) for w in _lexicon("last_names.txt"))


def _surname_after_given(first: str, w: str) -> bool:
    """A place-like word that is a common last name, after a given name: "Hyun-jin Park", "Morgan Hall"."""
    given = (
        first in _first_names()
        or _fold(first) in _folded_first()
        or re.fullmatch(r"[A-Z][a-z]+-[a-z]+", first)
    )
    return bool(given) and w not in _PLACES and _fold(w) in _all_last()


def _cap_runs(text: str) -> str:
    """Two or three capitalised words in a row, none a domain or place word, become ``[name]``."""
    toks = list(_TOKEN.finditer(text))
    spans = []
    i = 0
    while i < len(toks) - 1:
        a = toks[i]
        if not _cap(a.group(0)) or _allowed(a.group(0)):
            i += 1
            continue
        if (_is_sentence_start(text, a.start()) and a.group(0) in SENTENCE_STARTERS) or _after_determiner(
            text, a.start()
        ):  # "The Boston Museum of Science", "a Bunsen Burner": not a person
            i += 1
            continue
        # extend over capitalised words (and particles between them) separated by spaces
        j, last, parts = i + 1, i, 1
        while (
            j < len(toks) and parts < 3 and re.fullmatch(r"[ \t]+", text[toks[j - 1].end() : toks[j].start()])
        ):
            w = toks[j].group(0)
            if _cap(w) and (not _allowed(w) or (parts == 1 and _surname_after_given(a.group(0), w))):
                last, parts = j, parts + 1
            elif w not in _PARTICLES:
                break
            j += 1
        if parts >= 2:
            spans.append((a.start(), toks[last].end()))
            i = last + 1
        else:
            i += 1
    return _replace_spans(text, spans, "[name]")


@lru_cache(maxsize=32)
def _alternation(terms: tuple[str, ...], flags: int, brackets: bool = False) -> re.Pattern | None:
    """One compiled pattern for many whole-token terms (longest first); with ``brackets`` also inside
    square brackets ("P3 [R5E88B]:"; ids only, so that no placeholder such as "[name]" is matched).
    """
    if not terms:
        return None
    alt = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    before, after = (r"(?<!\w)", r"(?!\w)") if brackets else (r"(?<![\w\[])", r"(?![\w\]])")
    # whole tokens: not inside a hyphenated or apostrophe-joined word ("Pritchard" in "Pritchard-Evans")
    return re.compile(rf"{before}(?<![\w]['\u2019-])(?:{alt}){after}(?!['\u2019-](?!s\b)[^\W\d_])", flags)


class _IdIndex:
    """The respondent ids to look for, indexed so that a quote is checked in time of its own length.

    One alternation of every id of a large network is slow to match (the regex
    engine tries each id at each word), so a quote's candidate spans (one to
    ``max_runs`` consecutive word runs) are looked up in a set first, and only
    the ids found go into the pattern. Ids that do not begin and end with a word
    character, or are not ASCII (whose case folding a lower-cased lookup might
    not follow), are always tried.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        terms = {str(t).strip() for t in ids if _id_ok(str(t).strip())}
        terms = {t for t in terms if t.lower() not in _PLACEHOLDERS}
        plain = {t for t in terms if t.isascii() and _WORD_END.match(t) and _WORD_END.match(t[-1])}
        self.always = tuple(sorted(terms - plain))
        self.by_lower: dict[str, list[str]] = {}
        for t in sorted(plain):
            self.by_lower.setdefault(t.lower(), []).append(t)
        self.max_runs = max((len(_WORD_RUN.findall(t)) for t in plain), default=0)

    def found_in(self, text: str) -> tuple[str, ...]:
        """The ids that may occur in ``text`` as whole tokens (a superset of the pattern's matches)."""
        low = text.translate(_ASCII_FOLD).lower()
        if len(low) != len(text):  # a character whose lower case is longer: try every id
            return self.always + tuple(t for ts in self.by_lower.values() for t in ts)
        runs = [(m.start(), m.end()) for m in _WORD_RUN.finditer(text)]
        hits: set[str] = set(self.always)
        for i, (start, _) in enumerate(runs):
            for j in range(i, min(i + self.max_runs, len(runs))):
                hits.update(self.by_lower.get(low[start : runs[j][1]], ()))
        return tuple(sorted(hits))


_WORD_RUN = re.compile(r"\w+")
#: the non-ASCII letters that ``re.IGNORECASE`` matches to an ASCII one (dotted and dotless i, long s,
#: the Kelvin sign), folded to it so that the lower-cased lookup finds what the pattern would match
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_WORD_END = re.compile(r"\w")
#: ``id(ids) -> (ids, its index)``: the index of each ids object a caller passes, built once
_ID_INDEX: dict[int, tuple[object, _IdIndex]] = {}


def _id_index(ids: Iterable[str]) -> _IdIndex:
    """The index of ``ids``: built once per tuple or frozenset a caller passes, anew for anything mutable."""
    if not isinstance(ids, (tuple, frozenset)):
        return _IdIndex(ids)
    entry = _ID_INDEX.get(id(ids))
    if entry is None or entry[0] is not ids:
        if len(_ID_INDEX) >= 8:
            _ID_INDEX.clear()
        entry = (ids, _IdIndex(ids))
        _ID_INDEX[id(ids)] = entry  # holds ``ids``, so its id is not reused while cached
    return entry[1]


def _known_terms(text: str, names: Iterable[str] | None, ids: Iterable[str] | None) -> str:
    if ids:
        pat = _alternation(_id_index(ids).found_in(text), re.I, True)
        if pat is not None:
            text = pat.sub("[id]", text)
    if names:
        full: set[str] = set()
        parts: set[str] = set()
        for n in names:
            n = unicodedata.normalize("NFC", str(n or "")).strip()
            if len(n) < 3 or n.lower() in ("nan", "none"):
                continue
            full.add(n)
            for part in re.split(r"[\s,]+", n):
                if len(part) >= 3 and part.lower() not in _COMMON:
                    # parts of a name only when capitalised as a name ("Will", not "will"), or in capitals
                    parts.update({part[:1].upper() + part[1:], part.upper()})
        pat = _alternation(tuple(sorted(full)), re.I)
        if pat is not None:
            text = pat.sub("[name]", text)
        pat = _alternation(tuple(sorted(parts)), 0)
        if pat is not None:
            text = pat.sub("[name]", text)
    return text


_PLACEHOLDERS = frozenset("name phone email handle url id".split())


def _id_ok(t: str) -> bool:
    """Respondent ids worth searching for: 3+ characters, 5+ if only digits (not a count or a year)."""
    if len(t) < 3:
        return False
    return not t.isdigit() or len(t) >= 5


# ----------------------------------------------------------------------------------------- public
def redact(
    text,
    names: Iterable[str] | None = None,
    *,
    ids: Iterable[str] | None = None,
    regions: Iterable[str] = PHONE_REGIONS,
) -> str:
    """Remove personal names, contact details and respondent ids from a quote.

    Applied, in order, to the text (normalised to Unicode NFC):

    1. URLs (``https://...``, ``www...``, ``name.org/...``) -> ``[url]``;
    2. e-mail addresses -> ``[email]``; ``@handles`` -> ``[handle]``;
    3. phone numbers -> ``[phone]``: every number the ``phonenumbers`` library
       (libphonenumber) finds with a ``+`` country code, or in the national
       format of one of ``regions``, that has at least 9 digits (8 with a
       country code), plus US forms (``(555) 123-4567``, ``555-1234``,
       extensions);
    4. ``ids`` (respondent ids known from the data; 3+ characters, 5+ when only
       digits), as whole tokens in any case -> ``[id]``;
    5. ``names`` (e.g. a ``redact_names:`` list), whole in any case, and any
       part of 3+ letters when written capitalised -> ``[name]``;
    6. a title in any case, with or without its full stop or the space after
       it (Mr, Mrs, Ms, Mx, Miss, Dr, Prof, Principal, Coach, Superintendent,
       Dean, Counselor, Director, Coordinator, ...) and the name after it (up
       to three words; "Dr.Okafor", "mr. smith", "MS. SMITH") -> ``[name]``;
    7. an appositive name after a role ("our principal, Okafor, said") ->
       ``[name]``;
    8. two to three consecutive capitalised words (any alphabet, with
       apostrophes and hyphens: "María José García", "Zoë Brontë", "Smith-Jones"),
       none of them a school, subject, place or calendar word
       (:data:`NAME_ALLOWLIST`), and at the start of a sentence not opened by a
       common word (:data:`SENTENCE_STARTERS`) -> ``[name]``;
    9. a speaker label that is a name ("DANA:"; "INTERVIEWER:", "P3:" stay) and
       a capitalised word with a possessive before a lower-case noun
       ("Deborah's pacing guide"; not the eponyms of :data:`NOT_LONE_NAMES`,
       "Newton's laws") -> ``[name]``;
    10. a lone capitalised word in a context that marks a person ("Okafor said",
        "I asked Dana", "Dana and I", "Okafor's classroom") -> ``[name]``;
    11. a lone capitalised word that is a given name of the lexicon
        ``assetinv/data/first_names.txt`` (Faker's first-name lists, Latin
        script; also when written with accents the lexicon lacks, "Siobhán"),
        not one of :data:`NOT_LONE_NAMES` or a place, not inside a longer
        capitalised phrase, not after a determiner ("the Way") and not an
        English word opening a sentence ("Grant money ...") -> ``[name]``;
    12. a given name written in lower case ("so tomasz handles it"), with a
        last name after it, when no English word is spelt the same
        (``assetinv/data/name_words.txt``) -> ``[name]``. The same test admits a
        lower-case name after a role title ("principal nguyen") with the last
        names of ``assetinv/data/last_names.txt``.

    A lone given name outside the lexicon with no cue, and a lower-case name
    that is also an English word ("will", "grant"), are only caught when they
    are in ``names``: pass the study's names list, and read the quotes before
    publishing.

    Parameters
    ----------
    text : str
        The quote.
    names : iterable of str, optional
        Known personal names to remove.
    ids : iterable of str, optional
        Respondent (or interview) ids that must not appear.
    regions : iterable of str
        ISO 3166 region codes whose national phone formats are recognised
        (default :data:`PHONE_REGIONS`).

    Returns
    -------
    str
        The redacted text (non-strings are returned as ``""``).

    Examples
    --------
    >>> redact('She said "ask Ms. Ortega or mail j.ortega@school.org".')
    'She said "ask [name] or mail [email]".'
    >>> redact("Call me at (555) 123-4567, or talk to Maria Lopez in science.")
    'Call me at [phone], or talk to [name] in science.'
    >>> redact("Devon runs the robotics club.", names=["Devon Price"])
    '[name] runs the robotics club.'
    >>> redact("Ms. García and José Hernández rang +44 20 7946 0958.")
    '[name] and [name] rang [phone].'
    >>> redact("our principal, Okafor, follows @jsmith; see www.lincoln-ms.org")
    'our principal, [name], follows [handle]; see [url]'

    References
    ----------
    Saunders, B., Kitzinger, J., & Kitzinger, C. (2015). Anonymising interview data: challenges and
    compromise in practice. *Qualitative Research*, 15(5), 616-632.
    Google, *libphonenumber* (Python port ``phonenumbers``), ``PhoneNumberMatcher``.
    """
    if not isinstance(text, str):
        return ""
    out = unicodedata.normalize("NFC", text)
    out = _EMAIL.sub("[email]", out)
    out = _URL.sub("[url]", out)
    out = _HANDLE.sub("[handle]", out)
    out = _sub_phones(out, regions)
    out = _known_terms(out, names, ids)
    out = _titles(out)
    out = _APPOSITIVE.sub(_appositive_sub, out)
    out = _cap_runs(out)
    out = _speakers_and_possessives(out)
    out = _lone_names(out)
    out = _lexicon_names(out)
    out = _lowercase_names(out)
    out = re.sub(r"\[name\](?:[ \t]+\[name\])+", "[name]", out)
    return out


def read_redact_names(path) -> list[str]:
    """Read a names list for :func:`redact`: a text file (one name per line) or a CSV with a ``name`` column.

    Blank lines and lines starting with ``#`` are skipped.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of str
        The names, in file order, without duplicates.

    Raises
    ------
    DataError
        When the file cannot be read as UTF-8 text, or a CSV has no ``name`` column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "names.txt"
    >>> _ = p.write_text("# staff\\nDana Whitfield\\nJosé Hernández\\n", encoding="utf-8")
    >>> read_redact_names(p)
    ['Dana Whitfield', 'José Hernández']

    References
    ----------
    ``docs/privacy.md``, section "Redaction".
    """
    from .errors import DataError, Problem

    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as err:
        raise DataError(
            Problem(
                str(p),
                f"the names list cannot be opened ({err.strerror or err})",
                "check the 'redact_names' path in study.yaml",
            )
        ) from None
    except UnicodeDecodeError:
        raise DataError(Problem(str(p), "the names list is not UTF-8 text", "save it as UTF-8")) from None
    lines = [ln.strip() for ln in text.splitlines()]
    if p.suffix.lower() == ".csv":
        import csv

        rows = list(csv.reader(lines))
        header = [h.strip().lower() for h in rows[0]] if rows else []
        if "name" not in header:
            raise DataError(
                Problem(str(p), "the names list has no 'name' column", "add a header 'name'", row=1)
            )
        j = header.index("name")
        lines = [r[j].strip() for r in rows[1:] if len(r) > j]
    out: list[str] = []
    for ln in lines:
        if ln and not ln.startswith("#") and ln not in out:
            out.append(unicodedata.normalize("NFC", ln))
    return out
