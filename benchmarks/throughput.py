"""Throughput and peak-memory benchmark for ``auditor scan`` on a synthetic X/Twitter archive.

Usage::

    python benchmarks/throughput.py N [--keep DIR] [--auditor CMD] [--runs R]
                                      [--memory-scaling] [--json] [--seed S] [--generate-only]

The script writes an N-post archive shaped like the real X export (``data/manifest.js``,
``data/account.js``, ``data/tweets.js``, ``data/note-tweet.js``), then times, as separate
processes, a baseline (unzip + ``json.loads`` of ``data/tweets.js``) and
``auditor scan ARCHIVE --format json -o OUT --quiet``.  Wall time and the child's peak RSS
(``os.wait4`` -> ``ru_maxrss``) are recorded for every run.

Linux note: a child's ``ru_maxrss`` is at least its parent's RSS high-water mark at the moment
of the spawn (``exec`` carries the replaced mm's peak into the new program's maxrss).  A bare
``Popen`` + ``wait4`` from this ~19 MB driver would therefore report >= 19 MB for any child.
So every measured command is started by a tiny launcher (``python -I -S``, fork + exec +
``os.wait4``) whose own footprint, ~5 MB, is the floor; archives are generated in a subprocess;
and the driver resets its high-water mark through ``/proc/self/clear_refs`` before each spawn.
The floor (what a do-nothing ``/bin/true`` gets) is reported as ``rss_floor_mb``; ``--direct``
measures with ``Popen`` + ``wait4`` from the driver itself instead.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import html
import json
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

GENERATOR_VERSION = 2
DEFAULT_SEED = 20240601

# Targets from the performance brief.
TARGET_RATIO = 1.0
TARGET_RSS_MB = 120.0
TARGET_RSS_AT_N = 100_000
TARGET_SCALING = 1.15

SCREEN_NAME = "DrSamRivera"
DISPLAY_NAME = "Dr. Sam Rivera, MD"
ACCOUNT_ID = "1234567890"
TWITTER_EPOCH_MS = 1288834974657
END_TIME = dt.datetime(2024, 12, 31, 21, 0, 0, tzinfo=dt.UTC)
START_TIME = END_TIME - dt.timedelta(days=round(12 * 365.25))
NOTE_TWEETS_FROM = dt.datetime(2023, 2, 8, tzinfo=dt.UTC)  # long posts launched early 2023

# Started with ``python -I -S``: fork + exec the command, report "seconds maxrss_kib status".
LAUNCHER_CODE = """\
import os, sys, time
result, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        os.write(2, f"cannot run {cmd[0]!r}: {exc}\\n".encode())
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(result, "w") as fh:
    fh.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""

BASELINE_CODE = (
    "import json, sys, zipfile\n"
    "raw = zipfile.ZipFile(sys.argv[1]).read('data/tweets.js').decode('utf-8')\n"
    "data = json.loads(raw[raw.index('=') + 1:])\n"
    "assert isinstance(data, list)\n"
)

# --------------------------------------------------------------------------------------------
# Text generation: a clinician's feed built from templates and word pools.
# --------------------------------------------------------------------------------------------

POOLS: dict[str, list[str]] = {
    "shift": ["night shift", "day shift", "weekend shift", "12-hour shift", "double", "long call"],
    "unit": ["the ED", "the ICU", "clinic", "the wards", "L&D", "urgent care", "the unit"],
    "feeling": ["exhausted", "grateful", "wiped out", "proud of my team", "caffeinated", "hungry"],
    "drink": ["coffee", "cold brew", "tea", "an espresso", "hot chocolate", "a smoothie"],
    "family": ["my daughter", "my son", "the kids", "my partner", "my mom", "my dad", "my sister"],
    "kid": ["my daughter", "my son", "the kids", "my niece", "my nephew", "our youngest"],
    "kid_act": [
        "made pancakes for dinner",
        "beat me at Mario Kart again",
        "lost a tooth today",
        "learned to ride a bike without training wheels",
        "asked me why the sky is blue",
        "started soccer practice",
        "planted tomatoes in the garden",
        "finished a 500-piece puzzle",
    ],
    "hobby": [
        "trail running",
        "sourdough baking",
        "birdwatching",
        "rock climbing",
        "woodworking",
        "guitar practice",
        "gardening",
        "open-water swimming",
        "film photography",
        "chess",
    ],
    "hobby_result": [
        "was pure joy",
        "was a total disaster",
        "went better than expected",
        "humbled me once again",
        "is my favorite kind of therapy",
        "took the whole afternoon",
    ],
    "place": [
        "the lake",
        "the farmers market",
        "the coast",
        "the park",
        "the mountains",
        "grandma's place",
    ],
    "topic": [
        "hypertension",
        "type 2 diabetes",
        "sepsis",
        "antibiotic stewardship",
        "vaccine hesitancy",
        "heat stroke",
        "opioid overdose",
        "measles",
        "RSV",
        "influenza",
        "sleep hygiene",
        "colorectal cancer screening",
        "stroke recognition",
        "hand hygiene",
    ],
    "advice": [
        "get your flu shot before the season peaks",
        "know the signs of a stroke: face, arms, speech, time",
        "naloxone saves lives; carry it if you can",
        "wash your hands for at least 20 seconds",
        "check your blood pressure at home and write it down",
        "drink water and find shade during heat waves",
        "finish the antibiotic course your clinician prescribed, and ask if you need it at all",
        "screening for colon cancer now starts at 45",
        "wear sunscreen even on cloudy days",
        "sleep is not a luxury; it is a vital sign",
        "keep medicines locked and out of reach of children",
    ],
    "source": ["the CDC", "the WHO", "our health department", "a new Cochrane review", "NEJM"],
    "conf": ["#ACEP23", "#SMACC", "the ACP meeting", "#IDWeek", "#CHEST2022", "#SAEM24", "#DFTB"],
    "talk": [
        "sepsis bundles",
        "point-of-care ultrasound",
        "burnout and moral injury",
        "health equity in rural care",
        "wellness beyond pizza",
        "difficult conversations",
        "diagnostic error",
        "climate and health",
    ],
    "city": ["Denver", "Chicago", "Boston", "Austin", "Seattle", "Atlanta", "Montreal", "Lisbon"],
    "reaction": [
        "This is so true.",
        "Couldn't agree more!",
        "Great thread, thank you.",
        "Saving this for later.",
        "Love this.",
        "Ha, every single time.",
        "Congratulations!! Well deserved.",
        "Thanks for sharing this.",
        "100% this.",
        "Such an important point.",
        "Wow.",
        "Same here, honestly.",
        "Happy to help, DM me.",
        "Yes! And bring snacks.",
    ],
    "emoji": ["😀", "🙏", "❤️", "☕", "🩺", "🎉", "😂", "💉", "🌧️", "🏃"],
    "presentation": [
        "came in with crushing chest pain",
        "had a glucose of 900",
        "fell off a ladder cleaning gutters",
        "swallowed a magnet",
        "was septic and still joking with the nurses",
        "overdosed in the parking lot",
    ],
    "condition": ["CHF", "COPD", "DKA", "a GI bleed", "pancreatitis", "a hip fracture"],
    "town": ["Millbrook", "Cedar Falls", "Pine Ridge", "Lakeview", "Harlow"],
    "occupation": ["teacher", "firefighter", "bus driver", "pastor", "retired nurse", "mechanic"],
    "initial": list("ABCDEFGHJKLMNPRSTW"),
    "prevent": [
        "hypertension",
        "type 2 diabetes",
        "heat stroke",
        "skin cancer",
        "stroke risk",
        "falls in older adults",
    ],
    "symptom": [
        "chest pain",
        "fever and a rash",
        "sudden shortness of breath",
        "syncope after exercise",
        "right lower quadrant pain",
        "the worst headache of their life",
    ],
    "plant": ["oak tree", "tortoise", "sourdough starter", "bonsai", "vinyl record", "farmhouse"],
}

TEMPLATES: dict[str, list[str]] = {
    "work": [
        "Coming off a {shift} in {unit}. {feeling_cap}.",
        "Survived another {shift}. Time for {drink} and a nap.",
        "Shout-out to the nurses in {unit} tonight. You make everything work.",
        "Charting at 2am is its own special kind of fun.",
        "Nothing like {drink} at the start of a {shift}.",
        "Precepting new residents this month and they are wonderful.",
        "Our department is hiring! Come work with a fantastic team in {unit}.",
        "Reminder to my fellow clinicians: eat lunch. Actually sit down and eat it.",
        "The pager went off 14 times in one hour. A new personal record.",
        "Grateful for the team that keeps {unit} running on holidays.",
        "First {shift} of the new academic year. Deep breaths, everyone.",
        "Spent my lunch break reviewing QI data on {topic} and honestly it was fun.",
    ],
    "family": [
        "{kid_cap} {kid_act}.",
        "Weekend plan: {hobby} with {family}, then pizza.",
        "{family_cap} asked what I do at work. I said 'I fix people.' Nailed it.",
        "Took the day off to be with {family} at {place}. Best decision.",
        "Homework help tonight: fractions. Medical school did not prepare me for this.",
        "Date night! Babysitter booked, phone on silent.",
        "Birthday breakfast for {family}. Pancakes shaped like dinosaurs.",
    ],
    "hobby": [
        "Morning {hobby} session {hobby_result}.",
        "Squeezed in some {hobby} today and it {hobby_result}.",
        "Any recommendations for {hobby} books? Asking for a friend (me).",
        "Weekend = {hobby} + {drink} + zero pagers.",
        "Signed up for a half marathon in {city}. What have I done.",
        "New personal best on the {hobby} front today.",
    ],
    "health": [
        "Public health reminder: {advice}.",
        "Quick thread on {topic}, because I get asked about it every week.",
        "New guidance from {source} on {topic} is out, and it is worth a read.",
        "Myth: you can't do anything about {prevent}. Fact: small changes add up.",
        "PSA: {advice}.",
        "If you remember one thing from my clinic today: {advice}.",
        "Talked to a school group about {topic} today. Kids ask the best questions.",
        "Evidence matters: {source} summarized the data on {topic} well.",
        "Heat wave this week. Check on your older neighbors & drink water.",
    ],
    "conference": [
        "Giving a talk on {talk} at {conf} tomorrow. Slides are (almost) done.",
        "Great session on {talk} at {conf} this morning. Lots to bring home.",
        "Landed in {city} for {conf}! Who else is here?",
        "Thanks to everyone who came to our workshop on {talk}. Slides linked below.",
        "Poster session at {conf}: come find us at board 112, we have stickers.",
        "Grand rounds today on {talk}. Recording will be posted for staff.",
        "Q&A after my {talk} talk ran 20 minutes over. Best kind of problem.",
    ],
    "reaction": ["{reaction}", "{reaction} {emoji}", "{emoji} {reaction}"],
    "lookalike": [
        "Saw a {old_age}-year-old {plant} on my walk tonight. Still going strong.",
        "My {dad_age}-year-old dad just beat me at chess again.",
        "Reminder: adults over 50 are eligible for the shingles vaccine. Ask your clinician.",
        "Bed {bed} in the community garden finally has ripe tomatoes.",
        "Teaching case: a hypothetical {age}-year-old presents with {symptom}. Next step? #MedEd",
        "Room {room} at {conf} is packed for the {talk} session.",
        "The ED was slammed tonight. Please be kind to your local health workers.",
        "Mr {initial}. from my book club recommended a great novel about medicine.",
        "Our {dog_age}-year-old family dog had her checkup today, all good.",
    ],
    "risky": [
        "Saw a {age}-year-old in the ED tonight who {presentation}. Some nights are unreal.",
        "Mr {initial}. in bed {bed} keeps asking for his wife. Broke my heart this morning.",
        "Our {age}yo patient with {condition} from {town} finally went home today!",
        "Had to tell the family of the {age}-year-old {occupation} in room {room} the bad news.",
        "Mrs {initial}. ({adult_age}) with {condition} in bay {bed} refused meds again.",
        "The {occupation} from {town} who {presentation} is back for the third time this month.",
    ],
}

CATEGORY_WEIGHTS: list[tuple[str, float]] = [
    ("work", 0.22),
    ("health", 0.20),
    ("family", 0.14),
    ("hobby", 0.14),
    ("conference", 0.12),
    ("reaction", 0.10),
    ("lookalike", 0.06),
    ("risky", 0.02),
]

FILLER_SENTENCES: list[str] = [
    "Long day, but a good one.",
    "Grateful for this job, most days.",
    "More soon.",
    "Anyone else feel this?",
    "Learned a lot today.",
    "Back at it tomorrow.",
    "Science is a team sport.",
    "Small wins count.",
    "Hydrate, people.",
    "Not medical advice, just a tired doctor's opinion.",
    "Be kind to each other out there.",
    "Talk to your own clinician about what is right for you.",
    "The data keep getting clearer on this.",
    "I'll post the references in the replies.",
    "Honestly, this is why I love primary care.",
    "Still thinking about it on the drive home.",
]

HASHTAGS = [
    "MedTwitter",
    "FOAMed",
    "PublicHealth",
    "MedEd",
    "ThisIsOurLane",
    "EMTwitter",
    "DocsOnTwitter",
    "Wellness",
]
HANDLES = [
    ("Jordan Lee, RN", "jordan_lee_rn"),
    ("Priya Natarajan", "priya_nat_md"),
    ("County Health Dept", "CountyHealthDept"),
    ("Emergency Med Journal", "EmergMedJ"),
    ("Marcus Okafor", "mokafor"),
    ("Hannah Berg", "hannahberg"),
    ("ER Cat", "er_cat_official"),
    ("Ana Souza, PharmD", "ana_pharmd"),
    ("Chen Wei", "chenwei_id"),
    ("Dr. Tom Alvarez", "talvarez_peds"),
]
LINK_TARGETS = [
    "https://www.cdc.gov/flu/prevent/index.html",
    "https://www.who.int/news-room/fact-sheets",
    "https://www.nejm.org/doi/full/10.1056/NEJMoa2034577",
    "https://example-hospital.org/news/grand-rounds",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://medium.com/@drsamrivera/notes-from-the-night-shift",
]
SOURCES = [
    ("http://twitter.com/download/iphone", "Twitter for iPhone", 0.45),
    ("http://twitter.com/download/android", "Twitter for Android", 0.15),
    ("https://mobile.twitter.com", "Twitter Web App", 0.30),
    ("https://about.twitter.com/products/tweetdeck", "TweetDeck", 0.10),
]
TCO_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
AGE_RANGES = {
    "age": (1, 97),
    "adult_age": (35, 96),
    "dad_age": (58, 91),
    "dog_age": (1, 15),
    "old_age": (40, 220),
}
_FIELD_RE = re.compile(r"\{(\w+)\}")


class TextGen:
    """Deterministic generator of clinician-feed sentences."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.categories = [c for c, _ in CATEGORY_WEIGHTS]
        self.weights = [w for _, w in CATEGORY_WEIGHTS]

    def _fill(self, template: str) -> str:
        rng = self.rng

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in AGE_RANGES:
                return str(rng.randint(*AGE_RANGES[name]))
            if name in ("bed", "room"):
                return str(rng.randint(1, 40) if name == "bed" else rng.randint(100, 620))
            if name.endswith("_cap"):
                value = rng.choice(POOLS[name[:-4]])
                return value[:1].upper() + value[1:]
            return rng.choice(POOLS[name])

        return _FIELD_RE.sub(repl, template)

    def category(self) -> str:
        return self.rng.choices(self.categories, self.weights)[0]

    def sentence(self, category: str, used: set[str] | None = None) -> str:
        """Fill a random template of ``category``, avoiding templates already in ``used``."""
        templates = TEMPLATES[category]
        template = self.rng.choice(templates)
        if used is not None:
            for _ in range(3):
                if template not in used:
                    break
                template = self.rng.choice(templates)
            used.add(template)
        return self._fill(template)

    def post(self, category: str, budget: int = 280) -> str:
        """One post of 10..budget characters, led by a sentence of ``category``."""
        rng = self.rng
        roll = rng.random()
        target = (
            rng.randint(10, 60)
            if roll < 0.3
            else rng.randint(60, 160)
            if roll < 0.7
            else rng.randint(160, budget)
        )
        used: set[str] = set()
        text = self.sentence(category, used)
        if category != "reaction":
            while len(text) < target:
                if rng.random() < 0.5:
                    extra = rng.choice(FILLER_SENTENCES)
                    if extra in used:
                        continue
                    used.add(extra)
                else:
                    extra = self.sentence(rng.choice(("work", "health", "family", "hobby")), used)
                if len(text) + 1 + len(extra) > budget:
                    break
                text = f"{text} {extra}"
            if rng.random() < 0.04:
                emoji = rng.choice(POOLS["emoji"])
                if len(text) + 2 <= budget:
                    text = f"{text} {emoji}"
        if len(text) > budget:
            text = text[: budget - 1].rsplit(" ", 1)[0] + "…"
        if len(text) < 10:
            text = f"{text} Indeed."
        return text

    def long_text(self) -> str:
        """A long post (note tweet), 400-2,500 characters, in paragraphs."""
        rng = self.rng
        target = rng.randint(400, 2500)
        paragraphs: list[str] = []
        used: set[str] = set()
        length = 0
        while length < target:
            para = " ".join(
                self.sentence(rng.choice(("health", "work", "conference")), used)
                for _ in range(rng.randint(2, 4))
            )
            paragraphs.append(para)
            length += len(para) + 2
        return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------------------------
# Archive writer
# --------------------------------------------------------------------------------------------

_KEY_RE = re.compile(r'^(\s*"(?:[^"\\\n]|\\.)*"): (\[\]|\{\})?', re.MULTILINE)


def _key_sub(match: re.Match[str]) -> str:
    empty = match.group(2)
    return f"{match.group(1)} : " + ("" if empty is None else f"{empty[0]} {empty[1]}")


def twitter_json(value: Any, level: int = 0) -> str:
    """JSON in the export's style: 2-space indent, ``"key" : value``, empty ``[ ]``/``{ }``."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    text = _KEY_RE.sub(_key_sub, text)
    if level:
        pad = "  " * level
        text = pad + text.replace("\n", "\n" + pad)
    return text


def _snowflake(rng: random.Random, when: dt.datetime) -> int:
    ms = int(when.timestamp() * 1000)
    return ((ms - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22)


def _created_at(when: dt.datetime) -> str:
    return when.strftime("%a %b %d %H:%M:%S +0000 %Y")


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _tco(rng: random.Random) -> str:
    return "https://t.co/" + "".join(rng.choices(TCO_ALPHABET, k=10))


def _indices(start: int, end: int) -> list[str]:
    return [str(start), str(end)]


def _short_display(url: str) -> str:
    display = url.split("://", 1)[-1]
    return display if len(display) <= 26 else display[:25] + "…"


@dataclass
class ArchiveStats:
    """Counts of what an archive contains, for reporting."""

    posts: int = 0
    replies: int = 0
    self_replies: int = 0
    retweets: int = 0
    media: int = 0
    notes: int = 0
    risky: int = 0
    lookalike: int = 0
    tweets_js_bytes: int = 0
    avg_element_bytes: float = 0.0
    zip_bytes: int = 0
    categories: dict[str, int] = field(default_factory=dict)


class TweetFactory:
    """Builds tweet dicts (and note tweets) one at a time, newest first."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.text = TextGen(self.rng)
        self.stats = ArchiveStats()
        self.notes: list[dict[str, Any]] = []
        span = (END_TIME - START_TIME).total_seconds()
        self._mean_step = span / max(n, 1)
        self._next_time = END_TIME
        self._next_id = _snowflake(self.rng, END_TIME)
        self._source_weights = [w for *_, w in SOURCES]

    def _advance(self) -> tuple[dt.datetime, int, int]:
        """Return (time, id) of the current post and the id of the next (older) post."""
        when, tweet_id = self._next_time, self._next_id
        step = min(self.rng.expovariate(1.0 / self._mean_step), 20 * self._mean_step)
        self._next_time = max(when - dt.timedelta(seconds=max(step, 1.0)), START_TIME)
        self._next_id = _snowflake(self.rng, self._next_time)
        return when, tweet_id, self._next_id

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for _ in range(self.n):
            yield self.make()

    def make(self) -> dict[str, Any]:
        rng = self.rng
        stats = self.stats
        when, tweet_id, older_id = self._advance()
        stats.posts += 1

        hashtags: list[dict[str, Any]] = []
        mentions: list[dict[str, Any]] = []
        urls: list[dict[str, Any]] = []
        media: list[dict[str, Any]] = []
        reply: dict[str, str] = {}
        prefix = ""

        roll = rng.random()
        is_retweet = roll < 0.05
        is_reply = 0.05 <= roll < 0.30
        is_note = not is_retweet and when >= NOTE_TWEETS_FROM and rng.random() < 0.07
        has_media = not is_retweet and not is_note and rng.random() < 0.05

        if is_retweet:
            name, handle = rng.choice(HANDLES)
            category = rng.choice(("health", "conference", "work"))
            prefix = f"RT @{handle}: "
            mentions.append(self._mention(name, handle, 3, 4 + len(handle)))
        elif is_reply:
            category = "reaction" if rng.random() < 0.45 else self.text.category()
            if rng.random() < 0.3:  # thread: reply to our own previous (older) post
                stats.self_replies += 1
                reply = self._reply(older_id, ACCOUNT_ID, SCREEN_NAME)
            else:
                name, handle = rng.choice(HANDLES)
                prefix = f"@{handle} "
                mentions.append(self._mention(name, handle, 0, 1 + len(handle)))
                parent = when - dt.timedelta(seconds=rng.uniform(30, 3 * 86400))
                reply = self._reply(_snowflake(rng, parent), self._user_id(handle), handle)
            stats.replies += 1
        else:
            category = self.text.category()
        stats.categories[category] = stats.categories.get(category, 0) + 1
        if category == "risky":
            stats.risky += 1
        elif category == "lookalike":
            stats.lookalike += 1

        link_len = 24  # " https://t.co/xxxxxxxxxx"
        budget = 280 - len(prefix) - (link_len if (has_media or is_note) else 0)
        if is_note:
            long_text = self.text.long_text()
            cut = long_text[: budget - 1].rsplit(" ", 1)[0]
            body = cut.rstrip(".,;:") + "… " + _tco(rng)
            self._add_note(when, tweet_id, long_text)
        else:
            body = self.text.post(category, budget)
            if is_retweet and len(prefix) + len(body) > 140 and rng.random() < 0.5:
                body = body[: 139 - len(prefix)].rsplit(" ", 1)[0] + "…"

        # Extras: hashtags, a link, an occasional inline mention.
        if not is_note and not is_retweet:
            if rng.random() < 0.12:
                tag = rng.choice(HASHTAGS)
                if len(body) + len(tag) + 2 <= budget:
                    body = f"{body} #{tag}"
            if not has_media and rng.random() < 0.10 and len(body) + link_len <= budget:
                body = f"{body} {_tco(rng)}"
            if category != "reaction" and rng.random() < 0.04:
                name, handle = rng.choice(HANDLES)
                if len(body) + len(handle) + 6 <= budget:
                    body = f"{body} cc @{handle}"

        text = prefix + body
        display_start = len(prefix) if is_reply else 0
        for match in re.finditer(r"#(\w+)", text):
            hashtags.append({"text": match.group(1), "indices": _indices(*match.span())})
        for match in re.finditer(r"(?<=cc )@(\w+)", text):
            handle = match.group(1)
            name = next(n for n, h in HANDLES if h == handle)
            mentions.append(self._mention(name, handle, *match.span()))
        for match in re.finditer(r"https://t\.co/\w+", text):
            target = (
                f"https://twitter.com/i/web/status/{tweet_id}"
                if is_note
                else rng.choice(LINK_TARGETS)
            )
            urls.append(
                {
                    "url": match.group(0),
                    "expanded_url": target,
                    "display_url": _short_display(target),
                    "indices": _indices(*match.span()),
                }
            )
        display_end = len(text)
        if has_media:
            stats.media += 1
            media_url = _tco(rng)
            start = len(text) + 1
            text = f"{text} {media_url}"
            media = self._media(tweet_id, media_url, start, len(text))

        tweet: dict[str, Any] = {
            "edit_info": {
                "initial": {
                    "editTweetIds": [str(tweet_id)],
                    "editableUntil": _iso(when + dt.timedelta(minutes=30)),
                    "editsRemaining": "5",
                    "isEditEligible": when >= dt.datetime(2022, 9, 1, tzinfo=dt.UTC)
                    and not is_retweet,
                }
            },
            "retweeted": False,
            "source": self._source(),
            "entities": {
                "hashtags": hashtags,
                "symbols": [],
                "user_mentions": mentions,
                "urls": urls,
            },
            "display_text_range": _indices(display_start, display_end),
            "favorite_count": str(0 if is_retweet else int(rng.paretovariate(1.3)) - 1),
            "id_str": str(tweet_id),
            "truncated": False,
            "retweet_count": str(int(rng.paretovariate(1.6)) - 1),
            "id": str(tweet_id),
        }
        if media:
            tweet["entities"]["media"] = media
            tweet["possibly_sensitive"] = False
        tweet.update(reply)
        tweet["created_at"] = _created_at(when)
        tweet["favorited"] = False
        tweet["full_text"] = html.escape(text, quote=False)
        tweet["lang"] = "en" if category != "reaction" or rng.random() < 0.8 else "und"
        if media:
            tweet["extended_entities"] = {"media": media}
        if is_retweet:
            stats.retweets += 1
        return {"tweet": tweet}

    # -- pieces -------------------------------------------------------------------------------

    @staticmethod
    def _user_id(handle: str) -> str:
        return str(100_000_000 + sum(ord(c) * 7919**i for i, c in enumerate(handle)) % 10**9)

    def _mention(self, name: str, handle: str, start: int, end: int) -> dict[str, Any]:
        uid = self._user_id(handle)
        return {
            "name": name,
            "screen_name": handle,
            "indices": _indices(start, end),
            "id_str": uid,
            "id": uid,
        }

    @staticmethod
    def _reply(status_id: int, user_id: str, screen_name: str) -> dict[str, str]:
        return {
            "in_reply_to_status_id_str": str(status_id),
            "in_reply_to_user_id": user_id,
            "in_reply_to_status_id": str(status_id),
            "in_reply_to_screen_name": screen_name,
            "in_reply_to_user_id_str": user_id,
        }

    def _source(self) -> str:
        href, label, _ = self.rng.choices(SOURCES, self._source_weights)[0]
        return f'<a href="{href}" rel="nofollow">{label}</a>'

    def _media(self, tweet_id: int, url: str, start: int, end: int) -> list[dict[str, Any]]:
        media_id = str(tweet_id + self.rng.randint(1, 1 << 20))
        key = "".join(self.rng.choices(TCO_ALPHABET, k=15))
        expanded = f"https://twitter.com/{SCREEN_NAME}/status/{tweet_id}/photo/1"
        w, h = self.rng.choice(((1200, 900), (1536, 2048), (2048, 1152)))

        def size(limit: int, mode: str) -> dict[str, str]:
            scale = min(1.0, limit / max(w, h))
            return {"w": str(int(w * scale)), "h": str(int(h * scale)), "resize": mode}

        return [
            {
                "expanded_url": expanded,
                "indices": _indices(start, end),
                "url": url,
                "media_url": f"http://pbs.twimg.com/media/{key}.jpg",
                "id_str": media_id,
                "id": media_id,
                "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg",
                "sizes": {
                    "small": size(680, "fit"),
                    "thumb": {"w": "150", "h": "150", "resize": "crop"},
                    "large": size(2048, "fit"),
                    "medium": size(1200, "fit"),
                },
                "type": "photo",
                "display_url": "pic.twitter.com/" + url.rsplit("/", 1)[-1],
            }
        ]

    def _add_note(self, when: dt.datetime, tweet_id: int, text: str) -> None:
        self.stats.notes += 1
        note_id = str(_snowflake(self.rng, when - dt.timedelta(seconds=2)))
        tags = [
            {"tag": m.group(1), "fromIndex": str(m.start()), "toIndex": str(m.end())}
            for m in re.finditer(r"#(\w+)", text)
        ]
        self.notes.append(
            {
                "noteTweet": {
                    "noteTweetId": note_id,
                    "updatedAt": _iso(when),
                    "lifecycle": {
                        "value": str(tweet_id),
                        "name": "Tweet",
                        "originalName": "Tweet",
                        "annotations": {},
                    },
                    "createdAt": _iso(when),
                    "core": {
                        "styletags": [],
                        "urls": [],
                        "text": text,
                        "mentions": [],
                        "cashtags": [],
                        "hashtags": tags,
                    },
                }
            }
        )


def _write_js_array(fh: IO[bytes], global_name: str, items: Iterator[dict[str, Any]]) -> int:
    """Write ``window.<global_name> = [ ... ]`` incrementally; return the bytes written."""
    written = 0

    def put(chunk: str) -> None:
        nonlocal written
        data = chunk.encode("utf-8")
        fh.write(data)
        written += len(data)

    put(f"window.{global_name} = [")
    first = True
    for item in items:
        put(("\n" if first else ",\n") + twitter_json(item, level=1))
        first = False
    put("\n]" if not first else " ]")
    return written


def _small_data_files(rng: random.Random) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(dataType, file, globalName, elements) of the small account/security files.

    Real exports always carry these; without them ``auditor scan`` reports a partial import
    (exit 3), which the benchmark would count as a failed run.
    """
    phone = "+15555550142"
    created = START_TIME - dt.timedelta(days=200)
    logins = sorted(
        (END_TIME - dt.timedelta(seconds=rng.uniform(0, 90 * 86400)) for _ in range(24)),
        reverse=True,
    )
    ips = ["198.51.100.23", "198.51.100.24", "192.0.2.146", "203.0.113.9"]
    return [
        (
            "account",
            "account.js",
            "account",
            [
                {
                    "account": {
                        "email": "sam.rivera@example.com",
                        "createdVia": "web",
                        "username": SCREEN_NAME,
                        "accountId": ACCOUNT_ID,
                        "createdAt": _iso(created),
                        "accountDisplayName": DISPLAY_NAME,
                    }
                }
            ],
        ),
        (
            "profile",
            "profile.js",
            "profile",
            [
                {
                    "profile": {
                        "description": {
                            "bio": "Emergency physician. Public health nerd, parent, runner. "
                            "Views my own; nothing here is medical advice.",
                            "website": _tco(rng),
                            "location": "Denver, CO",
                        },
                        "avatarMediaUrl": "https://pbs.twimg.com/profile_images/"
                        "1200000000000000001/abcdEFGH.jpg",
                    }
                }
            ],
        ),
        ("phoneNumber", "phone-number.js", "phone_number", [{"device": {"phoneNumber": phone}}]),
        (
            "niDevices",
            "ni-devices.js",
            "ni_devices",
            [
                {
                    "niDeviceResponse": {
                        "messagingDevice": {
                            "phoneNumber": phone,
                            "carrier": "EXAMPLE_WIRELESS_US",
                            "deviceType": "Auth",
                            "createdDate": "2020.03.11",
                            "updatedDate": "2020.03.11",
                        }
                    }
                }
            ],
        ),
        (
            "ipAudit",
            "ip-audit.js",
            "ip_audit",
            [
                {
                    "ipAudit": {
                        "accountId": ACCOUNT_ID,
                        "createdAt": _iso(when),
                        "loginIp": rng.choice(ips),
                    }
                }
                for when in logins
            ],
        ),
        (
            "deviceToken",
            "device-token.js",
            "device_token",
            [
                {
                    "deviceToken": {
                        "clientApplicationId": "3033300",
                        "clientApplicationName": "Twitter Web App",
                        "token": "FAKE" + "".join(rng.choices(TCO_ALPHABET, k=36)),
                        "createdAt": _iso(END_TIME - dt.timedelta(days=400)),
                        "lastSeenAt": _iso(END_TIME - dt.timedelta(hours=5)),
                    }
                }
            ],
        ),
        (
            "connectedApplication",
            "connected-application.js",
            "connected_application",
            [
                {
                    "connectedApplication": {
                        "organization": {
                            "name": "Example Social Tools Inc.",
                            "url": "https://scheduler.example.com",
                            "privacyPolicyUrl": "https://scheduler.example.com/privacy",
                            "termsAndConditionsUrl": "https://scheduler.example.com/terms",
                        },
                        "name": "PostScheduler",
                        "description": "Schedule posts across your accounts.",
                        "permissions": ["read", "write"],
                        "approvedAt": _iso(END_TIME - dt.timedelta(days=900)),
                        "id": "16003001",
                    }
                }
            ],
        ),
        (
            "protectedHistory",
            "protected-history.js",
            "protected_history",
            [
                {
                    "protectedHistory": {
                        "protectedAt": _iso(END_TIME - dt.timedelta(days=500)),
                        "action": "Protect",
                    }
                },
                {
                    "protectedHistory": {
                        "protectedAt": _iso(END_TIME - dt.timedelta(days=470)),
                        "action": "Unprotect",
                    }
                },
            ],
        ),
    ]


README_TXT = """Twitter archive (synthetic benchmark data)

Generated by benchmarks/throughput.py; the account and every post in it are made up.
Each file in data/ is JavaScript: `window.YTD.<name>.part0 = ` followed by a JSON array.
"""
ARCHIVE_HTML = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Your archive</title>'
    "</head>\n<body><h1>Your archive</h1><p>Synthetic benchmark archive.</p></body></html>\n"
)


ZIP_DATE = (2025, 1, 3, 21, 0, 0)  # fixed member timestamps: same seed, same bytes


def _zinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    return info


def _file_spec(name: str, global_name: str, count: int) -> dict[str, Any]:
    entry = {"fileName": f"data/{name}", "globalName": f"YTD.{global_name}.part0"}
    return {"files": [{**entry, "count": str(count)}]}


def write_archive(path: Path, n: int, seed: int = DEFAULT_SEED) -> ArchiveStats:
    """Write an N-post synthetic X archive zip at ``path`` (atomically) and return its stats.

    Memory stays flat in N: tweets are generated one at a time and streamed into the deflated
    zip member; only the ~1% long posts (note tweets) are held until tweets.js is done.
    """
    factory = TweetFactory(n, seed)
    stats = factory.stats
    tmp = path.with_name(path.name + ".part")
    force64 = n > 1_500_000  # past ~2 GiB uncompressed a member needs zip64 headers
    size = 0
    data_types: dict[str, Any] = {}
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(_zinfo("Your archive.html"), ARCHIVE_HTML)
        with zf.open(_zinfo("data/tweets.js"), "w", force_zip64=force64) as fh:
            stats.tweets_js_bytes = _write_js_array(fh, "YTD.tweets.part0", iter(factory))
        size += stats.tweets_js_bytes
        with zf.open(_zinfo("data/note-tweet.js"), "w") as fh:
            size += _write_js_array(fh, "YTD.note_tweet.part0", iter(factory.notes))
        for dtype, name, global_name, elements in _small_data_files(factory.rng):
            body = f"window.YTD.{global_name}.part0 = {twitter_json(elements)}".encode()
            zf.writestr(_zinfo(f"data/{name}"), body)
            size += len(body)
            data_types[dtype] = _file_spec(name, global_name, len(elements))
        data_types["tweets"] = {
            "mediaDirectory": "data/tweets_media",
            **_file_spec("tweets.js", "tweets", n),
        }
        data_types["noteTweet"] = _file_spec("note-tweet.js", "note_tweet", len(factory.notes))
        zf.writestr(_zinfo("data/README.txt"), README_TXT)
        size += len(README_TXT) + len(ARCHIVE_HTML)
        manifest = {
            "userInfo": {
                "accountId": ACCOUNT_ID,
                "userName": SCREEN_NAME,
                "displayName": DISPLAY_NAME,
            },
            "archiveInfo": {
                "sizeBytes": str(size),
                "generationDate": _iso(END_TIME + dt.timedelta(days=3)),
                "isPartialArchive": False,
                "maxPartSizeBytes": "53687091200",
            },
            "readmeInfo": {
                "fileName": "data/README.txt",
                "directory": "data/",
                "name": "README.txt",
            },
            "dataTypes": data_types,
        }
        manifest_js = "window.__THAR_CONFIG = " + twitter_json(manifest)
        zf.writestr(_zinfo("data/manifest.js"), manifest_js)
    os.replace(tmp, path)
    stats.avg_element_bytes = round(stats.tweets_js_bytes / max(n, 1), 1)
    stats.zip_bytes = path.stat().st_size
    return stats


def archive_name(n: int, seed: int) -> str:
    return f"x-archive-n{n}-seed{seed}-v{GENERATOR_VERSION}.zip"


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    """One measured child process."""

    seconds: float
    rss_kib: int
    returncode: int
    stderr: str = ""
    stdout: str = ""


def _reset_peak_rss() -> None:
    """Lower this process's RSS high-water mark so children don't inherit it (Linux >= 4.0)."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def measure(cmd: Sequence[str], *, capture_stdout: bool = False, direct: bool = False) -> RunResult:
    """Run ``cmd`` once; return its wall time, peak RSS (KiB), exit status and output.

    By default the command is started by a minimal launcher (``python -I -S``: fork, exec,
    ``os.wait4``) so that its ``ru_maxrss`` floor is the launcher's ~5 MB, not this process's
    RSS; ``direct=True`` uses ``subprocess.Popen`` + ``os.wait4`` from this process instead.
    Output goes to temporary files, not pipes, so a child can never block on a full pipe.
    """
    _reset_peak_rss()
    with contextlib.ExitStack() as stack:
        err = stack.enter_context(tempfile.TemporaryFile())
        out = stack.enter_context(tempfile.TemporaryFile())
        stdout = out if capture_stdout else subprocess.DEVNULL
        if direct:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            proc.returncode = returncode = os.waitstatus_to_exitcode(status)
            rss_kib = usage.ru_maxrss
        else:
            result_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="auditor-rss-"))
            result = Path(result_dir) / "result"
            launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER_CODE, str(result), *cmd]
            proc = subprocess.Popen(launcher, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err)
            launcher_rc = proc.wait()
            try:
                secs, rss, rc = result.read_text().split()
            except (OSError, ValueError):
                err.seek(0)
                detail = err.read().decode("utf-8", "replace")
                sys.exit(f"launcher failed (exit {launcher_rc}) for {shlex.join(cmd)}:\n{detail}")
            seconds, rss_kib, returncode = float(secs), int(rss), int(rc)
        err.seek(0)
        out.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        captured = out.read().decode("utf-8", "replace")
    return RunResult(seconds, rss_kib, returncode, stderr, captured)


def ensure_archive(n: int, directory: Path, seed: int) -> tuple[Path, dict[str, Any] | None]:
    """Reuse or generate (in a subprocess, to keep this process small) the N-post archive."""
    path = directory / archive_name(n, seed)
    if path.exists() and zipfile.is_zipfile(path):
        return path, None
    cmd = [sys.executable, os.path.abspath(__file__), str(n), "--generate-only"]
    cmd += ["--keep", str(directory), "--seed", str(seed), "--json"]
    result = measure(cmd, capture_stdout=True)
    if result.returncode != 0 or not path.exists():
        sys.exit(f"archive generation failed (exit {result.returncode}):\n{result.stderr}")
    info = json.loads(result.stdout)
    info.update(seconds=round(result.seconds, 2), peak_rss_mb=_mb(result.rss_kib))
    return path, info


def _mb(kib: float) -> float:
    return round(kib / 1024, 1)


def _summary(runs: list[RunResult]) -> dict[str, Any]:
    secs = [r.seconds for r in runs]
    rss = [r.rss_kib for r in runs]
    return {
        "seconds_min": round(min(secs), 4),
        "seconds_median": round(statistics.median(secs), 4),
        "rss_mb_max": _mb(max(rss)),
        "rss_mb_median": _mb(statistics.median(rss)),
        "runs_seconds": [round(s, 4) for s in secs],
        "runs_rss_mb": [_mb(r) for r in rss],
    }


def default_auditor() -> list[str]:
    exe = Path(sys.executable).parent / "auditor"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("auditor")
    return [found] if found else [str(exe)]


def bench_size(
    n: int,
    directory: Path,
    auditor: list[str],
    runs: int,
    seed: int,
    log: IO[str],
    direct: bool = False,
    *,
    ensure: Callable[[int, Path, int], tuple[Path, dict[str, Any] | None]] = ensure_archive,
    baseline_code: str = BASELINE_CODE,
    scan_args: Sequence[str] = (),
) -> dict[str, Any]:
    """Generate/reuse the N archive and time baseline and auditor ``runs`` times each.

    ``ensure``, ``baseline_code`` and ``scan_args`` (inserted after ``scan ARCHIVE``) let the
    sibling benchmarks (``throughput_facebook.py``) reuse this loop for other export shapes.
    """
    archive, generated = ensure(n, directory, seed)
    if generated:
        print(
            f"generated {archive} in {generated['seconds']} s "
            f"(peak RSS {generated['peak_rss_mb']} MB)",
            file=log,
            flush=True,
        )
    baseline_cmd = [sys.executable, "-c", baseline_code, str(archive)]
    base_runs: list[RunResult] = []
    aud_runs: list[RunResult] = []
    failures: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="auditor-bench-out-") as out_dir:
        out = Path(out_dir) / "report.json"
        aud_cmd = [*auditor, "scan", str(archive), *scan_args]
        aud_cmd += ["--format", "json", "-o", str(out), "--quiet"]
        for i in range(runs):
            base = measure(baseline_cmd, direct=direct)
            if base.returncode != 0:
                sys.exit(f"baseline failed (exit {base.returncode}):\n{base.stderr}")
            base_runs.append(base)
            with contextlib.suppress(FileNotFoundError):
                out.unlink()
            try:
                aud = measure(aud_cmd, direct=direct)
            except OSError as exc:
                sys.exit(f"cannot run auditor {shlex.join(auditor)!r}: {exc}")
            if aud.returncode in (0, 1):
                aud_runs.append(aud)
            else:
                failures.append({"run": i + 1, "returncode": aud.returncode})
                log.flush()
                print(
                    f"auditor run {i + 1} failed with exit {aud.returncode}; stderr:\n"
                    f"{aud.stderr.rstrip()}",
                    file=sys.stderr,
                    flush=True,
                )
            print(
                f"N={n} run {i + 1}/{runs}: baseline {base.seconds:.2f} s "
                f"{_mb(base.rss_kib)} MB; auditor {aud.seconds:.2f} s {_mb(aud.rss_kib)} MB "
                f"(exit {aud.returncode})",
                file=log,
                flush=True,
            )
        output_bytes = out.stat().st_size if out.exists() else None
    result: dict[str, Any] = {
        "n": n,
        "archive": str(archive),
        "archive_bytes": archive.stat().st_size,
        "baseline": _summary(base_runs),
        "auditor": _summary(aud_runs) if aud_runs else None,
        "auditor_failures": failures,
        "auditor_output_bytes": output_bytes,
    }
    if generated:
        result["generation"] = generated
    if aud_runs:
        a_med = result["auditor"]["seconds_median"]
        b_med = result["baseline"]["seconds_median"]
        result["ratio_median"] = round(a_med / b_med, 3)
        result["ratio_min"] = round(
            result["auditor"]["seconds_min"] / result["baseline"]["seconds_min"], 3
        )
        result["posts_per_s"] = round(n / a_med) if a_med > 0 else None
    return result


def _fmt_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))


def print_table(results: list[dict[str, Any]], floor_mb: float, out: IO[str]) -> None:
    headers = [
        "N",
        "baseline s min/med",
        "auditor s min/med",
        "ratio med",
        "posts/s",
        "base RSS MB",
        "aud RSS MB",
    ]
    rows = []
    for r in results:
        b, a = r["baseline"], r["auditor"]
        rows.append(
            [
                f"{r['n']:,}",
                f"{b['seconds_min']:.2f}/{b['seconds_median']:.2f}",
                f"{a['seconds_min']:.2f}/{a['seconds_median']:.2f}" if a else "FAILED",
                f"{r['ratio_median']:.2f}" if a else "-",
                f"{r['posts_per_s']:,}" if a and r["posts_per_s"] else "-",
                f"{b['rss_mb_max']:.1f}",
                f"{a['rss_mb_max']:.1f}" if a else "-",
            ]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    print(_fmt_row(headers, widths), file=out)
    for row in rows:
        print(_fmt_row(row, widths), file=out)
    print(
        f"targets: ratio <= {TARGET_RATIO}, auditor RSS < {TARGET_RSS_MB:.0f} MB at "
        f"N={TARGET_RSS_AT_N:,}; RSS is the max over runs (spawn floor {floor_mb} MB)",
        file=out,
    )


def collect_figures(
    args: argparse.Namespace,
    auditor: list[str],
    floor_mb: float,
    results: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """The figures object every throughput benchmark prints with --json; `extra` adds its own
    settings after `runs`."""
    figures: dict[str, Any] = {
        "auditor_cmd": shlex.join(auditor),
        "runs": args.runs,
        **extra,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "rss_floor_mb": floor_mb,
        "rss_method": "direct" if args.direct else "launcher",
        "results": results,
    }
    if args.memory_scaling and all(r["auditor"] for r in results):
        small, large = (r["auditor"]["rss_mb_max"] for r in results)
        figures["rss_scaling_3n"] = round(large / small, 3)
        base_small, base_large = (r["baseline"]["rss_mb_max"] for r in results)
        figures["baseline_rss_scaling_3n"] = round(base_large / base_small, 3)
    return figures


def benchmark_parser(description: str, thing: str) -> argparse.ArgumentParser:
    """The options every throughput benchmark shares; `thing` names what it generates."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("n", type=int, metavar="N", help=f"number of posts in the {thing}")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help=f"write (or reuse) the {thing} in DIR instead of a temporary directory",
    )
    parser.add_argument(
        "--auditor",
        metavar="CMD",
        help="auditor command line (default: the `auditor` next to sys.executable)",
    )
    parser.add_argument("--runs", type=int, default=3, metavar="R", help="runs per command")
    parser.add_argument(
        "--memory-scaling",
        action="store_true",
        help=f"also run 3N and report the auditor's RSS ratio (target <= {TARGET_SCALING})",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object of figures")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="measure children with Popen + wait4 from this process (RSS floor ~19 MB) "
        "instead of through the ~5 MB launcher",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help=f"only write the {thing} (into --keep DIR or the current directory) and exit",
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = benchmark_parser(
        "Benchmark `auditor scan` against a JSON-parse baseline on a synthetic N-post "
        "X/Twitter archive.",
        "archive",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be >= 1")
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = parse_args(argv)
    if args.generate_only:
        directory = args.keep or Path.cwd()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / archive_name(args.n, args.seed)
        start = time.perf_counter()
        stats = write_archive(path, args.n, args.seed)
        info = {"archive": str(path), "seconds": round(time.perf_counter() - start, 2)}
        info.update(asdict(stats))
        print(json.dumps(info) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
        return 0

    auditor = shlex.split(args.auditor) if args.auditor else default_auditor()
    log = sys.stderr if args.json else sys.stdout
    sizes = [args.n, 3 * args.n] if args.memory_scaling else [args.n]
    if not (shutil.which(auditor[0]) or os.access(auditor[0], os.X_OK)):
        sys.exit(f"auditor command not found: {auditor[0]} (install the package or pass --auditor)")
    true_cmd = shutil.which("true")
    floor_mb = _mb(measure([true_cmd], direct=args.direct).rss_kib) if true_cmd else 0.0
    with contextlib.ExitStack() as stack:
        if args.keep:
            directory = args.keep
            directory.mkdir(parents=True, exist_ok=True)
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="auditor-")))
        results = [
            bench_size(n, directory, auditor, args.runs, args.seed, log, args.direct) for n in sizes
        ]

    figures = collect_figures(args, auditor, floor_mb, results)

    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print()
        print_table(results, floor_mb, sys.stdout)
        if "rss_scaling_3n" in figures:
            print(
                f"auditor RSS {3 * args.n:,} / {args.n:,}: {figures['rss_scaling_3n']:.3f} "
                f"(target <= {TARGET_SCALING}); baseline: {figures['baseline_rss_scaling_3n']:.3f}"
            )
    return 2 if any(r["auditor_failures"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
