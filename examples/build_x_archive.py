"""Build the synthetic X/Twitter archive and post files in this folder (stdlib only).

    python examples/build_x_archive.py [--out-dir DIR]

Writes, into DIR (default: the folder this script is in):

- dr-maya-okafor-twitter-archive.zip  an X "download your data" archive of a fictional internist
- posts.jsonl and posts.csv           the same 8 generic posts (LinkedIn and Facebook)
- x_archive_labels.json               what each post is: its id, category and kind, for tests

Everything is fictional: people, places, phones (555-01xx), e-mails (@example.com) and IPs
(192.0.2.0/24, 198.51.100.0/24). Timestamps and ids are fixed and the zip entries carry a fixed
date, so running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ZIP_NAME = "dr-maya-okafor-twitter-archive.zip"
ZIP_DATE = (2024, 5, 1, 12, 0, 0)
GENERATED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
TWITTER_EPOCH_MS = 1288834974657

ACCOUNT_ID = "1287654321"
HANDLE = "DrMayaOkafor"
DISPLAY_NAME = "Dr. Maya Okafor"
EMAIL = "maya.okafor@example.com"
PHONE = "+15555550142"

# Other (fictional) accounts that appear in mentions, replies, likes and DMs.
USERS = {
    "jay_runs": ("Jay Runs", "2718281828"),
    "BrookfieldRunClub": ("Brookfield Run Club", "3141592653"),
    "BrookfieldHealth": ("Brookfield Public Health", "1618033988"),
    "LakeviewGenHosp": ("Lakeview General Hospital", "1414213562"),
    "DrSamLeeMD": ("Dr. Sam Lee", "1732050807"),
    "nurse_tess_b": ("Tess B.", "2236067977"),
}

SOURCES = {
    "android": (
        '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>'
    ),
    "web": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Spec:
    """One of her tweets, as written here; ids, entities and escaping are derived from it."""

    label: str
    when: str  # "YYYY-MM-DD HH:MM:SS", UTC
    category: str
    kind: str
    text: str  # raw text; [[https://...]] marks a link that becomes a t.co url
    reply_to: str | None = None  # label of her own tweet, or a screen name in USERS
    media: tuple[int, int, int] | None = None  # the photo's colour, when one is attached
    source: str = "android"
    favs: int = 0
    rts: int = 0
    tweet_id: str = field(default="", init=False)


# Categories: patient_identifying, patient_encounter, medical_advice, personal_address,
# hard_negative, ordinary, retweet, note_tweet, thread.
TWEETS = [
    Spec(
        "hello",
        "2013-03-14 19:40:12",
        "ordinary",
        "intro",
        "Hello, Twitter! Internist in Brookfield, runner, enthusiastic but terrible baker. "
        "Views my own, not medical advice.",
        source="web",
        favs=4,
    ),
    Spec(
        "half_marathon",
        "2013-10-06 15:02:47",
        "ordinary",
        "running",
        "Finished my first half marathon this morning: 2:04:11. Legs are jelly, heart is full. "
        "#running",
        favs=12,
    ),
    Spec(
        "jollof",
        "2014-02-09 01:15:30",
        "ordinary",
        "food",
        "Made jollof rice from my grandmother's recipe tonight. Still not as good as hers, "
        "but the smoke alarm only went off once.",
        favs=9,
    ),
    Spec(
        "flu_facts",
        "2014-10-20 13:30:00",
        "ordinary",
        "public_health",
        "Flu season is here. The shot can't give you the flu, and it's the best protection we "
        "have. Ask at your pharmacy or doctor's office. #FluFacts",
        source="web",
        favs=15,
        rts=11,
    ),
    Spec(
        "encounter_thanks",
        "2015-05-21 23:48:05",
        "patient_encounter",
        "encounter_no_identifiers",
        "Had a patient thank me for listening. Made my week.",
        favs=87,
        rts=3,
    ),
    Spec(
        "tv_drama",
        "2015-09-25 02:10:44",
        "hard_negative",
        "tv_medical_drama",
        "Watching the season finale of Saint Elm Night Shift. No, you cannot do open-heart "
        "surgery in an elevator with a pocket knife. 😂 #TVdoctors",
        favs=31,
        rts=2,
    ),
    Spec(
        "rt_bp_checks",
        "2016-06-03 16:20:00",
        "retweet",
        "retweet",
        "RT @BrookfieldHealth: Free blood pressure checks at the Brookfield Farmers Market "
        "every Saturday in June. Stop by our tent! #KnowYourNumbers",
        rts=18,
    ),
    Spec(
        "conference_talk",
        "2016-09-14 21:05:19",
        "ordinary",
        "conference",
        "Giving a talk on deprescribing in older adults at the Great Lakes Internal Medicine "
        "Conference tomorrow. Slides here: "
        "[[https://slides.example.com/okafor/deprescribing-2016]] #GLIMC2016",
        source="web",
        favs=22,
        rts=6,
    ),
    Spec(
        "fire_chief",
        "2016-11-19 04:41:27",
        "patient_identifying",
        "age_occupation_place_date",
        "Tonight in the Lakeview ED: a 91-year-old retired Brookfield fire chief came in after "
        "falling off a ladder while cleaning his gutters. Broken hip, still cracking jokes about "
        "every fire since 1962. OR first thing tomorrow.",
        favs=143,
        rts=9,
    ),
    Spec(
        "home_street",
        "2017-04-16 18:22:10",
        "personal_address",
        "home_street",
        "The tulips are finally up in front of our house on 14 Maple Hollow Lane! Neighbors, "
        "come see them before the rabbits do. 🌷",
        favs=25,
    ),
    Spec(
        "heat_advisory",
        "2017-07-18 14:00:03",
        "ordinary",
        "public_health",
        "Heat advisory in Brookfield this week. Drink water before you're thirsty, check on "
        "older neighbors, and never leave kids or pets in a parked car.",
        source="web",
        favs=19,
        rts=14,
    ),
    Spec(
        "named_patient",
        "2018-02-27 22:13:58",
        "patient_identifying",
        "title_surname",
        "So happy for Mr. Halvorsen, who walked out of Lakeview General today after three weeks "
        "in our ICU with septic shock. He promised to bring the whole unit his famous lefse. 💪",
        favs=210,
        rts=12,
    ),
    Spec(
        "anniversary",
        "2018-06-09 00:31:12",
        "ordinary",
        "family",
        "Ten years married to a man who still laughs at my terrible puns. Happy anniversary, love.",
        favs=64,
    ),
    Spec(
        "trail_photo",
        "2018-08-25 11:47:36",
        "ordinary",
        "running_photo",
        "Sunrise on the lakeshore trail this morning. 8 miles, zero regrets. #running",
        media=(236, 150, 64),
        favs=48,
    ),
    Spec(
        "be_patient",
        "2018-11-05 15:09:41",
        "hard_negative",
        "non_medical_patient",
        "Be patient with the new EHR rollout, everyone. It gets easier after week two. (Says "
        "the woman who needed 14 clicks to order Tylenol.)",
        source="web",
        favs=77,
        rts=8,
    ),
    Spec(
        "thread_1",
        "2019-03-02 17:00:00",
        "thread",
        "public_health",
        "How to check your blood pressure at home, a thread. 1/3: Sit quietly for 5 minutes "
        "first, feet flat on the floor, back supported, arm resting at heart level. No coffee "
        "for 30 minutes before.",
        source="web",
        favs=56,
        rts=30,
    ),
    Spec(
        "thread_2",
        "2019-03-02 17:01:10",
        "thread",
        "public_health",
        "2/3: Take two readings a minute apart and write both down, morning and evening, for "
        "one week. If you ever see > 180/120 with chest pain, weakness or trouble speaking, "
        "call 911.",
        reply_to="thread_1",
        source="web",
        favs=21,
        rts=9,
    ),
    Spec(
        "thread_3",
        "2019-03-02 17:02:25",
        "thread",
        "public_health",
        "3/3: Bring your cuff to your next visit so we can check it against ours. Cheap cuffs "
        "can be off by 10 points or more! #KnowYourNumbers",
        reply_to="thread_2",
        source="web",
        favs=18,
        rts=7,
    ),
    Spec(
        "case_report",
        "2019-06-11 13:25:50",
        "hard_negative",
        "published_case_report",
        "Our case report is out! \"Adult-onset Still's disease presenting as fever of unknown "
        'origin." Okafor M, Brennan T, Ishikawa R. J Fict Intern Med. 2019;11(3):201-205. '
        "[[https://journal.example.com/jfim/2019/11/3/201]]",
        source="web",
        favs=40,
        rts=5,
    ),
    Spec(
        "case_of_beer",
        "2019-07-04 23:55:02",
        "hard_negative",
        "non_medical_case",
        "Brought a case of beer to the block party and somehow came home with three casseroles "
        "and a zucchini the size of my arm. Love this town.",
        favs=33,
    ),
    Spec(
        "teaching_chest_pain",
        "2019-10-08 12:44:19",
        "hard_negative",
        "hypothetical_teaching",
        "Teaching point for our new interns: in any patient with chest pain, get an ECG within "
        "10 minutes of arrival, even if they look well. Especially if they look well. #MedEd",
        source="web",
        favs=95,
        rts=41,
    ),
    Spec(
        "encounter_cookies",
        "2020-01-23 22:05:36",
        "patient_encounter",
        "encounter_no_identifiers",
        "One of my patients brought homemade cookies for the whole clinic staff. Some "
        "days this job is just the best.",
        favs=58,
    ),
    Spec(
        "covid_basics",
        "2020-04-04 16:40:00",
        "ordinary",
        "public_health",
        "Wash your hands, keep your distance, and please stay home if you're sick. We're all in "
        "this together, Brookfield. #COVID19",
        source="web",
        favs=120,
        rts=66,
    ),
    Spec(
        "thank_staff",
        "2020-05-12 02:18:44",
        "ordinary",
        "gratitude",
        "To every nurse, tech, transporter and environmental services worker at Lakeview "
        "General: thank you. We could not do this without you. #NursesWeek",
        favs=301,
        rts=54,
    ),
    Spec(
        "public_figure",
        "2020-10-03 15:33:27",
        "hard_negative",
        "public_figure_health_news",
        "Wishing Governor Hartwell a speedy recovery after yesterday's news of her heart bypass "
        "surgery. A good reminder that heart disease is still the #1 killer of women.",
        source="web",
        favs=44,
        rts=10,
    ),
    Spec(
        "colon_screening",
        "2021-03-01 14:00:00",
        "hard_negative",
        "public_health_ages",
        "March is colorectal cancer awareness month. Adults over 45 should be screened for "
        "colon cancer, and earlier if it runs in your family. Ask your doctor which test is "
        "right for you. #ColonCancerAwareness",
        source="web",
        favs=70,
        rts=38,
    ),
    Spec(
        "own_colonoscopy",
        "2021-03-19 20:12:05",
        "hard_negative",
        "own_illness",
        "Had my own colonoscopy today. Practicing what I preach! The prep really is the worst "
        "part. All clear, see you in 10 years, GI friends.",
        favs=132,
        rts=12,
    ),
    Spec(
        "brookfield_10k",
        "2021-05-16 17:28:50",
        "ordinary",
        "running",
        "Brookfield 10K done! New PR of 49:58. Thank you to everyone cheering on Main Street, "
        "and to @BrookfieldRunClub for the orange slices.",
        favs=51,
    ),
    Spec(
        "rash_photo",
        "2021-08-30 23:02:14",
        "patient_identifying",
        "photo_clinical",
        "Her rash today, day 3 of antibiotics. Finally fading! Cellulitis can be so stubborn. "
        "#MedTwitter",
        media=(214, 112, 104),
        favs=66,
        rts=4,
    ),
    Spec(
        "colleague_congrats",
        "2021-12-01 18:45:33",
        "hard_negative",
        "colleague_congratulations",
        "Congratulations to Dr. Sam Lee (@DrSamLeeMD) on her new post as Chief of Cardiology at "
        "Lakeview General! So well deserved. 🎉",
        source="web",
        favs=88,
        rts=3,
    ),
    Spec(
        "initials_bed",
        "2022-01-14 03:17:09",
        "patient_identifying",
        "initials_bed",
        "J.T. in bed 14 keeps asking when he can go home and finish building his canoe. Soon, "
        "J.T., soon. Creatinine finally trending down tonight.",
        favs=39,
    ),
    Spec(
        "mothers_day",
        "2022-05-08 13:04:11",
        "ordinary",
        "family",
        "The kids made me breakfast in bed for Mother's Day. The kitchen may never recover. ❤️",
        favs=93,
    ),
    Spec(
        "advice_reply",
        "2022-05-08 19:56:40",
        "medical_advice",
        "individual_advice_reply",
        "@jay_runs Sounds like plantar fasciitis. Try calf stretches, ice after runs, and "
        "ibuprofen 400 mg with food 3x a day for a week. New shoes wouldn't hurt either!",
        reply_to="jay_runs",
        favs=2,
    ),
    Spec(
        "game_shot",
        "2022-11-18 03:30:21",
        "hard_negative",
        "non_medical_shot",
        "What a great shot in the game tonight! Buzzer-beater three-pointer and the whole "
        "Brookfield High gym lost it. Go Hawks! 🏀",
        favs=27,
    ),
    Spec(
        "run_club_reply",
        "2023-01-07 14:10:00",
        "ordinary",
        "reply_no_advice",
        "@BrookfieldRunClub See you at the start line Saturday! I'll bring the hot cocoa.",
        reply_to="BrookfieldRunClub",
        favs=5,
    ),
    Spec(
        "journal_club",
        "2023-02-24 06:58:32",
        "hard_negative",
        "meeting_time_venue",
        "Journal club this Thursday at 7pm, Brookfield Public Library, Room B. We're discussing "
        "SGLT2 inhibitors in heart failure. Pizza provided, residents and students welcome!",
        source="web",
        favs=14,
        rts=4,
    ),
    Spec(
        "rt_interns",
        "2023-07-01 15:00:07",
        "retweet",
        "retweet",
        "RT @LakeviewGenHosp: Please join us in welcoming our 24 new interns to Lakeview "
        "General! 🎉 We can't wait to learn alongside you. #MedTwitter",
        rts=25,
    ),
    Spec(
        "ten_years_note",
        "2023-09-12 14:05:09",
        "note_tweet",
        "long_post",
        "Ten years ago today I started my first day as an attending at Lakeview General. "
        "What I have learned since: 1) Listen more than you talk. 2) The nurses are "
        "usually right. 3) Sleep is not optional, no matter what residency taught you. "
        "4) Write notes for the next doctor & for the patient, not for the billing department. "
        "5) Say \"I don't know, let's find out\" out loud. 6) Take your vacation days. All of "
        "them. 7) Eat lunch, away from the screen when you can. Grateful to every colleague who "
        "taught me these the hard way. Here's to the next ten.",
        source="web",
        favs=412,
        rts=37,
    ),
    Spec(
        "flu_clinic",
        "2023-10-05 12:00:00",
        "hard_negative",
        "practice_announcement",
        "Flu clinic this Saturday 9-1 at Lakeview General, east entrance. No appointment "
        "needed, just bring your insurance card. Kids 6 months and up welcome! #FluShot",
        source="web",
        favs=20,
        rts=17,
    ),
    Spec(
        "injera",
        "2024-01-20 01:44:52",
        "ordinary",
        "food",
        "Tried the new Ethiopian place on Elm Street tonight. The injera! The lentils! Go, and "
        "bring friends so you can order everything.",
        favs=36,
    ),
    Spec(
        "conference_panel",
        "2024-04-11 16:22:30",
        "ordinary",
        "conference",
        "Excited to be on a panel about physician burnout at #GLIMC2024 this week. Bring your "
        "questions, and your honest answers.",
        source="web",
        favs=29,
        rts=6,
    ),
]
NOTE_TAIL = "Here's to the next ten."  # only in note-tweet.js, never in tweets.js

# Generic post file: the same 8 posts as JSON Lines and CSV.
POSTS = [
    {
        "id": "li-0001",
        "text": "Proud of our hospital medicine team at Lakeview General: 30-day readmissions "
        "for heart failure fell 18% this year after we started pharmacist-led discharge calls.",
        "created_at": "2024-02-05T14:30:00Z",
        "url": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000001/",
        "reply_to": "",
        "has_media": False,
        "platform": "linkedin",
        "account_role": "professional",
        "category": "ordinary",
        "kind": "team_news",
    },
    {
        "id": "li-0002",
        "text": "Yesterday I admitted Ms. Renata Ferris, a 34-year-old kindergarten teacher from "
        "Brookfield, with diabetic ketoacidosis. Her sugar was over 700. Know the signs: "
        "thirst, frequent urination, fatigue.",
        "created_at": "2024-02-19T16:05:00Z",
        "url": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000002/",
        "reply_to": "",
        "has_media": False,
        "platform": "linkedin",
        "account_role": "professional",
        "category": "patient_identifying",
        "kind": "name_age_occupation_place",
    },
    {
        "id": "li-0003",
        "text": "Be patient with yourselves during board prep season. A case of nerves is "
        "normal, and a long shot is still a shot. You've got this, residents!",
        "created_at": "2024-03-04T12:00:00Z",
        "url": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000003/",
        "reply_to": "",
        "has_media": False,
        "platform": "linkedin",
        "account_role": "professional",
        "category": "hard_negative",
        "kind": "non_medical_senses",
    },
    {
        "id": "li-0004",
        "text": "Congratulations to Dr. Priya Raman on being named Lakeview General's Teacher of "
        "the Year! Every intern who has worked with her knows why.",
        "created_at": "2024-03-22T18:45:00Z",
        "url": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000004/",
        "reply_to": "",
        "has_media": True,
        "platform": "linkedin",
        "account_role": "professional",
        "category": "hard_negative",
        "kind": "colleague_congratulations",
    },
    {
        "id": "fb-0001",
        "text": "Flu clinic this Saturday 9-1 at Lakeview General, east entrance. No appointment "
        "needed, bring your insurance card.",
        "created_at": "2023-10-02T13:00:00Z",
        "url": "https://www.facebook.com/LakeviewInternalMedicine/posts/1000000000000001",
        "reply_to": "",
        "has_media": True,
        "platform": "facebook",
        "account_role": "practice",
        "category": "hard_negative",
        "kind": "practice_announcement",
    },
    {
        "id": "fb-0002",
        "text": "Adults 50 and older should get the shingles vaccine: two doses, 2 to 6 months "
        "apart. Ask us about it at your next visit!",
        "created_at": "2023-11-06T15:20:00Z",
        "url": "https://www.facebook.com/LakeviewInternalMedicine/posts/1000000000000002",
        "reply_to": "",
        "has_media": False,
        "platform": "facebook",
        "account_role": "practice",
        "category": "hard_negative",
        "kind": "public_health_ages",
    },
    {
        "id": "fb-0003",
        "text": "Thanks for all the questions! Yes, the vaccine is recommended even if you have "
        "had shingles before. We can go over the timing at your next visit.",
        "created_at": "2023-11-06T19:42:00Z",
        "url": "https://www.facebook.com/LakeviewInternalMedicine/posts/1000000000000003",
        "reply_to": "LakeviewInternalMedicine",
        "has_media": False,
        "platform": "facebook",
        "account_role": "practice",
        "category": "hard_negative",
        "kind": "general_answer_reply",
    },
    {
        "id": "fb-0004",
        "text": "Back at work after my own bout of shingles. Lesson learned: get the vaccine, "
        "folks. Doctors are patients too.",
        "created_at": "2024-01-15T21:10:00Z",
        "url": "https://www.facebook.com/maya.okafor.example/posts/1000000000000004",
        "reply_to": "",
        "has_media": False,
        "platform": "facebook",
        "account_role": "personal",
        "category": "hard_negative",
        "kind": "own_illness",
    },
]
POST_COLUMNS = (
    "id",
    "text",
    "created_at",
    "url",
    "reply_to",
    "has_media",
    "platform",
    "account_role",
)


# --- helpers ----------------------------------------------------------------------------------


def parse_when(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def twitter_time(when: datetime) -> str:
    """ "Fri Feb 24 06:58:32 +0000 2023", without locale-dependent strftime names."""
    day, month = DAYS[when.weekday()], MONTHS[when.month - 1]
    return f"{day} {month} {when.day:02d} {when:%H:%M:%S} +0000 {when.year}"


def snowflake(when: datetime, worker: int, seq: int = 0) -> str:
    """A Twitter-style id for a moment: milliseconds since the Twitter epoch, worker, sequence."""
    ms = int(when.timestamp()) * 1000 + (when.microsecond // 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (worker << 12) | seq)


def token(seed: str, length: int = 10) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(ALNUM[b % len(ALNUM)] for b in digest[:length])


def tco(seed: str) -> str:
    return "https://t.co/" + token("tco:" + seed)


def html_escape(text: str) -> str:
    """Twitter escapes only &, < and > in full_text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def display_url(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:25] + "…"


def dumps(value: Any, level: int = 0) -> str:
    """Twitter's pretty printer: 2-space indent, `"key" : value`, empty `[ ]` and `{ }`."""
    pad = "  " * level
    if isinstance(value, dict):
        if not value:
            return "{ }"
        items = [f"{pad}  {json.dumps(k)} : {dumps(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        items = [f"{pad}  {dumps(v, level + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A tiny valid PNG: a soft vertical gradient of one colour (stored, uncompressed deflate)."""
    rows = b""
    for y in range(size):
        shade = [max(0, c - 3 * y) for c in rgb]
        rows += b"\x00" + bytes(shade) * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


# --- tweets -----------------------------------------------------------------------------------


def assign_ids() -> None:
    for spec in TWEETS:
        spec.tweet_id = snowflake(parse_when(spec.when) + timedelta(milliseconds=417), 1)


def mention(screen_name: str, start: int) -> dict:
    if screen_name == HANDLE:
        name, uid = DISPLAY_NAME, ACCOUNT_ID
    else:
        name, uid = USERS[screen_name]
    return {
        "name": name,
        "screen_name": screen_name,
        "indices": [str(start), str(start + 1 + len(screen_name))],
        "id_str": uid,
        "id": uid,
    }


def expand_links(spec: Spec) -> tuple[str, list[dict]]:
    """Replace each [[url]] with a t.co link; return the text and the urls entities."""
    text, urls = spec.text, []
    while "[[" in text:
        start = text.index("[[")
        end = text.index("]]", start)
        expanded = text[start + 2 : end]
        short = tco(f"{spec.label}:{expanded}")
        text = text[:start] + short + text[end + 2 :]
        urls.append(
            {
                "url": short,
                "expanded_url": expanded,
                "display_url": display_url(expanded),
                "indices": [str(start), str(start + len(short))],
            }
        )
    return text, urls


def find_tags(text: str, sigil: str) -> list[tuple[str, int]]:
    """(word, index of the sigil) for each #hashtag or @mention in text."""
    out = []
    for i, ch in enumerate(text):
        if ch != sigil or (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
            continue
        j = i + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        word = text[i + 1 : j]
        if word and (sigil == "@" or word[0].isalpha()):
            out.append((word, i))
    return out


def media_entry(spec: Spec, short: str, start: int) -> dict:
    key = "F" + token("media:" + spec.label, 14)
    media_id = snowflake(parse_when(spec.when) - timedelta(seconds=7), 2)
    sizes = {
        "thumb": {"w": "150", "h": "150", "resize": "crop"},
        "small": {"w": "680", "h": "680", "resize": "fit"},
        "medium": {"w": "1200", "h": "1200", "resize": "fit"},
        "large": {"w": "2048", "h": "2048", "resize": "fit"},
    }
    return {
        "expanded_url": f"https://twitter.com/{HANDLE}/status/{spec.tweet_id}/photo/1",
        "indices": [str(start), str(start + len(short))],
        "url": short,
        "media_url": f"http://pbs.twimg.com/media/{key}.png",
        "id_str": media_id,
        "id": media_id,
        "media_url_https": f"https://pbs.twimg.com/media/{key}.png",
        "sizes": sizes,
        "type": "photo",
        "display_url": "pic.twitter.com/" + short.rsplit("/", 1)[-1],
    }


def note_cut(text: str, limit: int = 275) -> str:
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut else cut


def build_tweet(spec: Spec, by_label: dict[str, Spec]) -> tuple[dict, dict[str, bytes]]:
    """The tweets.js element for one spec, and its media files (archive name -> bytes)."""
    when = parse_when(spec.when)
    text, urls = expand_links(spec)
    if spec.category == "note_tweet":
        short = tco(f"{spec.label}:note")
        text = note_cut(text) + " " + short
        urls = [
            {
                "url": short,
                "expanded_url": f"https://twitter.com/i/web/status/{spec.tweet_id}",
                "display_url": f"twitter.com/i/web/status/{spec.tweet_id[:1]}…",
                "indices": [str(len(text) - len(short)), str(len(text))],
            }
        ]
    start = 0
    if spec.reply_to in USERS:
        start = len(spec.reply_to) + 2  # "@name " is outside the displayed text
    end = len(text)
    media_files: dict[str, bytes] = {}
    media: list[dict] = []
    if spec.media is not None:
        short = tco(f"{spec.label}:media")
        text = f"{text} {short}"
        entry = media_entry(spec, short, end + 1)
        media.append(entry)
        basename = entry["media_url"].rsplit("/", 1)[-1]
        media_files[f"data/tweets_media/{spec.tweet_id}-{basename}"] = png(spec.media)
    entities = {
        "hashtags": [
            {"text": word, "indices": [str(i), str(i + 1 + len(word))]}
            for word, i in find_tags(text, "#")
        ],
        "symbols": [],
        "user_mentions": [mention(word, i) for word, i in find_tags(text, "@")],
        "urls": urls,
    }
    tweet: dict[str, Any] = {
        "edit_info": {
            "initial": {
                "editTweetIds": [spec.tweet_id],
                "editableUntil": iso(when + timedelta(minutes=30)),
                "editsRemaining": "5",
                "isEditEligible": spec.category != "retweet" and spec.reply_to is None,
            }
        },
        "retweeted": False,
        "source": SOURCES[spec.source],
        "entities": entities,
        "display_text_range": [str(start), str(end)],
        "favorite_count": str(spec.favs),
    }
    if media:
        entities["media"] = media
    reply: dict[str, str] = {}
    if spec.reply_to in USERS:
        uid = USERS[spec.reply_to][1]
        parent = snowflake(when - timedelta(hours=2, seconds=13), 9)
        reply = {"status": parent, "user": uid, "screen_name": spec.reply_to}
    elif spec.reply_to is not None:
        reply = {
            "status": by_label[spec.reply_to].tweet_id,
            "user": ACCOUNT_ID,
            "screen_name": HANDLE,
        }
    if reply:
        tweet["in_reply_to_status_id_str"] = reply["status"]
    tweet["id_str"] = spec.tweet_id
    if reply:
        tweet["in_reply_to_user_id"] = reply["user"]
    tweet["truncated"] = False
    tweet["retweet_count"] = str(spec.rts)
    tweet["id"] = spec.tweet_id
    if reply:
        tweet["in_reply_to_status_id"] = reply["status"]
    if media:
        tweet["possibly_sensitive"] = False
    tweet["created_at"] = twitter_time(when)
    tweet["favorited"] = False
    tweet["full_text"] = html_escape(text)
    tweet["lang"] = "en"
    if reply:
        tweet["in_reply_to_screen_name"] = reply["screen_name"]
        tweet["in_reply_to_user_id_str"] = reply["user"]
    if media:
        tweet["extended_entities"] = {"media": media}
    return {"tweet": tweet}, media_files


def note_tweets() -> list[dict]:
    out = []
    for spec in TWEETS:
        if spec.category != "note_tweet":
            continue
        when = parse_when(spec.when)
        out.append(
            {
                "noteTweet": {
                    "noteTweetId": snowflake(when - timedelta(seconds=2), 3),
                    "updatedAt": iso(when),
                    "lifecycle": {
                        "value": spec.tweet_id,
                        "name": "Tweet",
                        "originalName": "Tweet",
                        "annotations": {},
                    },
                    "createdAt": iso(when),
                    "core": {
                        "styletags": [],
                        "urls": [],
                        "text": spec.text,
                        "mentions": [],
                        "cashtags": [],
                        "hashtags": [],
                    },
                }
            }
        )
    return out


# --- the other data files ---------------------------------------------------------------------


def account() -> list[dict]:
    return [
        {
            "account": {
                "email": EMAIL,
                "createdVia": "web",
                "username": HANDLE,
                "accountId": ACCOUNT_ID,
                "createdAt": "2013-03-14T19:22:05.000Z",
                "accountDisplayName": DISPLAY_NAME,
            }
        }
    ]


def profile() -> list[dict]:
    return [
        {
            "profile": {
                "description": {
                    "bio": "Internist at Lakeview General Hospital. Runner, mom, enthusiastic "
                    "baker. Views my own; nothing here is medical advice.",
                    "website": tco("profile:website"),
                    "location": "Brookfield",
                },
                "avatarMediaUrl": "https://pbs.twimg.com/profile_images/1200000000000000001/"
                + token("avatar", 8)
                + ".jpg",
            }
        }
    ]


def phone_number() -> list[dict]:
    return [{"device": {"phoneNumber": PHONE}}]


def ni_devices() -> list[dict]:
    return [
        {
            "niDeviceResponse": {
                "messagingDevice": {
                    "phoneNumber": PHONE,
                    "carrier": "LAKESHORE_WIRELESS_US",
                    "deviceType": "Auth",
                    "createdDate": "2021.10.20",
                    "updatedDate": "2021.10.20",
                }
            }
        },
        {
            "niDeviceResponse": {
                "pushDevice": {
                    "deviceType": "Android",
                    "deviceVersion": "14",
                    "pushVersion": "10.38.0-release.0",
                    "udid": hashlib.sha256(b"pushDevice").hexdigest()[:16],
                    "updatedDate": "2024.03.02",
                    "createdDate": "2021.10.20",
                }
            }
        },
    ]


def ip_audit() -> list[dict]:
    logins = [
        ("2024-04-20T08:12:44.000Z", "198.51.100.23"),
        ("2024-04-12T21:03:09.000Z", "198.51.100.23"),
        ("2024-03-30T14:47:51.000Z", "192.0.2.146"),
        ("2024-03-02T06:19:27.000Z", "192.0.2.77"),
    ]
    return [
        {"ipAudit": {"accountId": ACCOUNT_ID, "createdAt": c, "loginIp": ip}} for c, ip in logins
    ]


def device_token() -> list[dict]:
    return [
        {
            "deviceToken": {
                "clientApplicationId": "3033300",
                "clientApplicationName": "Twitter Web App",
                "token": "FAKE" + token("deviceToken:web", 36),
                "createdAt": "2023-11-02T18:30:12.000Z",
                "lastSeenAt": "2024-04-29T20:15:03.000Z",
            }
        },
        {
            "deviceToken": {
                "clientApplicationId": "258901",
                "clientApplicationName": "Twitter for Android",
                "token": "FAKE" + token("deviceToken:android", 36),
                "createdAt": "2021-10-20T09:00:00.000Z",
                "lastSeenAt": "2024-04-30T07:41:58.000Z",
            }
        },
    ]


def connected_application() -> list[dict]:
    apps = [
        (
            "PostPlanner Pro",
            "Example Social Tools Inc.",
            "https://postplanner.example.com",
            "Schedule posts across all your social accounts.",
            "2019-05-14T17:02:33.000Z",
            "16003001",
        ),
        (
            "ClinicCast",
            "Example Health Media LLC",
            "https://cliniccast.example.com",
            "Share your practice's health tips to every channel at once.",
            "2022-09-08T12:44:10.000Z",
            "27004002",
        ),
    ]
    return [
        {
            "connectedApplication": {
                "organization": {
                    "name": org,
                    "url": url,
                    "privacyPolicyUrl": url + "/privacy",
                    "termsAndConditionsUrl": url + "/terms",
                },
                "name": name,
                "description": description,
                "permissions": ["read", "write"],
                "approvedAt": approved,
                "id": app_id,
            }
        }
        for name, org, url, description, approved, app_id in apps
    ]


def protected_history() -> list[dict]:
    return [
        {"protectedHistory": {"protectedAt": "2023-12-02T22:10:05.000Z", "action": "Protect"}},
        {"protectedHistory": {"protectedAt": "2024-01-09T08:31:47.000Z", "action": "Unprotect"}},
    ]


LIKE_RISKY_ID = snowflake(datetime(2022, 6, 1, 18, 4, 9, 101000, tzinfo=UTC), 5)
LIKE_PLAIN_ID = snowflake(datetime(2023, 3, 9, 9, 30, 2, 555000, tzinfo=UTC), 5)
LIKE_RISKY_TEXT = (
    "Discharged Mr. Castellano today, 82, retired postman, room 309 at Lakeview General, "
    "after his bypass. What a fighter!"
)
DM_RISKY_TEXT = (
    "Can you check on my neighbor Gloria Whitfield? 67, bed 22 on 4 West at Lakeview, "
    "admitted last night with chest pain. Her daughter's cell is 555-0177."
)


def likes() -> list[dict]:
    return [
        {
            "like": {
                "tweetId": LIKE_RISKY_ID,
                "fullText": LIKE_RISKY_TEXT,
                "expandedUrl": f"https://twitter.com/i/web/status/{LIKE_RISKY_ID}",
            }
        },
        {
            "like": {
                "tweetId": LIKE_PLAIN_ID,
                "fullText": "Spring is here: the lakeshore trail is open again from end to end!",
                "expandedUrl": f"https://twitter.com/i/web/status/{LIKE_PLAIN_ID}",
            }
        },
    ]


def direct_messages() -> list[dict]:
    friend = USERS["nurse_tess_b"][1]
    pair = sorted([ACCOUNT_ID, friend], key=int)
    first = datetime(2023, 6, 14, 1, 2, 3, 250000, tzinfo=UTC)
    second = first + timedelta(minutes=9, seconds=41, milliseconds=300)
    messages = [  # newest first, as in real archives
        (
            second,
            ACCOUNT_ID,
            friend,
            "I can't discuss patients over DM, but I'll let her team know she has family asking.",
        ),
        (first, friend, ACCOUNT_ID, DM_RISKY_TEXT),
    ]
    return [
        {
            "dmConversation": {
                "conversationId": f"{pair[0]}-{pair[1]}",
                "messages": [
                    {
                        "messageCreate": {
                            "id": snowflake(at, 6),
                            "senderId": sender,
                            "recipientId": recipient,
                            "text": text,
                            "createdAt": iso(at),
                            "mediaUrls": [],
                            "urls": [],
                            "reactions": [],
                        }
                    }
                    for at, sender, recipient, text in messages
                ],
            }
        }
    ]


DELETED = [
    (datetime(2020, 2, 2, 20, 20, 20, 20000, tzinfo=UTC), timedelta(minutes=3)),
    (datetime(2022, 9, 30, 3, 14, 15, 926000, tzinfo=UTC), timedelta(days=2, hours=1)),
]


def deleted_tweet_headers() -> list[dict]:
    return [
        {
            "tweet": {
                "tweet_id": snowflake(created, 7),
                "user_id": ACCOUNT_ID,
                "created_at": twitter_time(created),
                "deleted_at": twitter_time(created + gone),
            }
        }
        for created, gone in DELETED
    ]


# --- assembling the archive -------------------------------------------------------------------

# (dataType, file name, YTD global name, element builder); manifest order.
DATA_FILES = [
    ("account", "account.js", "account", account),
    ("phoneNumber", "phone-number.js", "phone_number", phone_number),
    ("niDevices", "ni-devices.js", "ni_devices", ni_devices),
    ("ipAudit", "ip-audit.js", "ip_audit", ip_audit),
    ("deviceToken", "device-token.js", "device_token", device_token),
    (
        "connectedApplication",
        "connected-application.js",
        "connected_application",
        connected_application,
    ),
    ("protectedHistory", "protected-history.js", "protected_history", protected_history),
    ("tweets", "tweets.js", "tweets", None),
    ("noteTweet", "note-tweet.js", "note_tweet", note_tweets),
    ("like", "like.js", "like", likes),
    ("directMessages", "direct-messages.js", "direct_messages", direct_messages),
    (
        "deletedTweetHeaders",
        "deleted-tweet-headers.js",
        "deleted_tweet_headers",
        deleted_tweet_headers,
    ),
    ("profile", "profile.js", "profile", profile),
]

ARCHIVE_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Your archive</title></head>
<body>
<h1>Your archive</h1>
<p>Synthetic example archive of a fictional account (@DrMayaOkafor). Open the files in
<code>data/</code>; everything in them is made up.</p>
</body>
</html>
"""

README_TXT = """Twitter archive (synthetic example)

This archive was generated by examples/build_x_archive.py. The account, its posts and
every name, number and address in it are fictional.

Each file in data/ is JavaScript: `window.YTD.<name>.part0 = ` followed by a JSON array.
data/manifest.js describes the files.
"""


def archive_members() -> dict[str, bytes]:
    """Every archive member, name -> bytes, in the order they are written."""
    assign_ids()
    by_label = {s.label: s for s in TWEETS}
    tweets, media_files = [], {}
    for spec in TWEETS:
        element, files = build_tweet(spec, by_label)
        tweets.append(element)
        media_files.update(files)
    tweets.reverse()  # real archives list the newest tweet first

    data: dict[str, bytes] = {}
    data_types: dict[str, Any] = {}
    for dtype, filename, global_name, builder in DATA_FILES:
        elements = tweets if builder is None else builder()
        body = f"window.YTD.{global_name}.part0 = {dumps(elements)}"
        data[f"data/{filename}"] = body.encode()
        spec: dict[str, Any] = {}
        if dtype == "tweets":
            spec["mediaDirectory"] = "data/tweets_media"
        spec["files"] = [
            {
                "fileName": f"data/{filename}",
                "globalName": f"YTD.{global_name}.part0",
                "count": str(len(elements)),
            }
        ]
        data_types[dtype] = spec
    data["data/README.txt"] = README_TXT.encode()
    data.update(sorted(media_files.items()))

    size = len(ARCHIVE_HTML.encode()) + sum(len(b) for b in data.values())
    manifest = {
        "userInfo": {"accountId": ACCOUNT_ID, "userName": HANDLE, "displayName": DISPLAY_NAME},
        "archiveInfo": {
            "sizeBytes": str(size),
            "generationDate": iso(GENERATED),
            "isPartialArchive": False,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": data_types,
    }
    members = {"Your archive.html": ARCHIVE_HTML.encode()}
    members["data/manifest.js"] = f"window.__THAR_CONFIG = {dumps(manifest)}".encode()
    members.update(data)
    return members


def write_zip(path: Path, members: dict[str, bytes]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, payload in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED  # no zlib version can change the bytes
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, payload)
    path.write_bytes(buf.getvalue())


def write_posts(out_dir: Path) -> None:
    lines = []
    for post in POSTS:
        row = {k: post[k] for k in POST_COLUMNS}
        row["reply_to"] = row["reply_to"] or None
        lines.append(json.dumps(row, ensure_ascii=False))
    (out_dir / "posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(POST_COLUMNS)
    for post in POSTS:
        writer.writerow(
            [
                "true" if v is True else "false" if v is False else v
                for v in (post[k] for k in POST_COLUMNS)
            ]
        )
    (out_dir / "posts.csv").write_text(buf.getvalue(), encoding="utf-8")


def labels() -> dict[str, Any]:
    """What each post is, for tests: x tweets by label, and the generic posts by id."""
    by_label = {s.label: s for s in TWEETS}
    tweets = {}
    for spec in TWEETS:
        entry: dict[str, Any] = {
            "id": spec.tweet_id,
            "category": spec.category,
            "kind": spec.kind,
            "created_at": iso(parse_when(spec.when)),
        }
        if spec.reply_to:
            entry["reply_to"] = HANDLE if spec.reply_to in by_label else spec.reply_to
        if spec.media is not None:
            entry["has_media"] = True
        tweets[spec.label] = entry
    return {
        "archive": ZIP_NAME,
        "handle": HANDLE,
        "account_id": ACCOUNT_ID,
        "note_tail": NOTE_TAIL,
        "not_posts": {
            "like_tweet_ids": [LIKE_RISKY_ID, LIKE_PLAIN_ID],
            "like_risky_text": LIKE_RISKY_TEXT,
            "dm_risky_text": DM_RISKY_TEXT,
            "deleted_tweet_ids": [snowflake(c, 7) for c, _ in DELETED],
        },
        "tweets": tweets,
        "posts": {p["id"]: {"category": p["category"], "kind": p["kind"]} for p in POSTS},
    }


def check(members: dict[str, bytes]) -> None:
    """Fail loudly if the archive breaks a format rule the auditor's tests rely on."""
    listed = set()
    manifest = members["data/manifest.js"].decode()
    assert manifest.startswith("window.__THAR_CONFIG = {")
    config = json.loads(manifest.split("=", 1)[1])
    for spec in config["dataTypes"].values():
        for f in spec["files"]:
            listed.add(f["fileName"])
            body = members[f["fileName"]].decode()
            prefix = f"window.{f['globalName']} = "
            assert body.startswith(prefix), f["fileName"]
            elements = json.loads(body.split("=", 1)[1])
            assert len(elements) == int(f["count"]), f["fileName"]
            assert all(isinstance(e, dict) and len(e) == 1 for e in elements), f["fileName"]
    js = {n for n in members if n.endswith(".js") and n != "data/manifest.js"}
    assert js == listed, js ^ listed
    media = {n for n in members if n.startswith("data/tweets_media/")}
    assert media and all(
        n.startswith(config["dataTypes"]["tweets"]["mediaDirectory"]) for n in media
    )

    ids: list[str] = []
    for spec in TWEETS:
        raw = expand_links(spec)[0]
        if spec.category != "note_tweet":
            assert len(raw) <= 280, (spec.label, len(raw))
        else:
            assert len(raw) > 280 and NOTE_TAIL in raw, spec.label
        ids.append(spec.tweet_id)
    tweets = json.loads(members["data/tweets.js"].decode().split("=", 1)[1])
    for el in tweets:
        t = el["tweet"]
        ids += [m["id_str"] for m in t.get("extended_entities", {}).get("media", [])]
        if t.get("in_reply_to_screen_name", HANDLE) != HANDLE:
            ids.append(t["in_reply_to_status_id_str"])
        assert NOTE_TAIL not in t["full_text"]
    notes = json.loads(members["data/note-tweet.js"].decode().split("=", 1)[1])
    ids += [n["noteTweet"]["noteTweetId"] for n in notes]
    ids += [LIKE_RISKY_ID, LIKE_PLAIN_ID] + [snowflake(c, 7) for c, _ in DELETED]
    dms = json.loads(members["data/direct-messages.js"].decode().split("=", 1)[1])
    ids += [m["messageCreate"]["id"] for c in dms for m in c["dmConversation"]["messages"]]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len({s.label for s in TWEETS}) == len(TWEETS)
    assert len({p["id"] for p in POSTS}) == len(POSTS)


def build(out_dir: Path = HERE) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    members = archive_members()
    check(members)
    path = out_dir / ZIP_NAME
    write_zip(path, members)
    write_posts(out_dir)
    (out_dir / "x_archive_labels.json").write_text(
        json.dumps(labels(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE, help="where to write (default: here)")
    args = parser.parse_args()
    path = build(args.out_dir)
    print(f"wrote {path} ({path.stat().st_size} bytes), posts.jsonl, posts.csv, labels")


if __name__ == "__main__":
    main()
