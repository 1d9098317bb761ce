import io

from auditor.progress import Progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_shows_posts_and_rate_after_the_delay():
    out = Tty()
    p = Progress(stream=out, delay=0.0)
    p.start("twitter.zip")
    p.update(5000)
    p.finish()
    text = out.getvalue()
    assert "twitter.zip: 5,000 posts read" in text and "posts/s" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared when done


def test_progress_waits_a_second_before_showing():
    out = Tty()
    p = Progress(stream=out, delay=60.0)
    p.start("x")
    p.update(10)
    p.finish()
    assert out.getvalue() == ""


def test_progress_is_silent_off_a_terminal_and_when_quiet():
    plain = io.StringIO()
    p = Progress(stream=plain, delay=0.0)
    p.update(10)
    assert plain.getvalue() == ""
    tty = Tty()
    q = Progress(enabled=False, stream=tty, delay=0.0)
    q.update(10)
    assert tty.getvalue() == ""


def test_progress_bar_with_a_total_shows_the_rate_and_the_time_left():
    out = Tty()
    p = Progress(stream=out, delay=0.0)
    p.start("x.zip: photos")
    p._start -= 10  # ten seconds in
    p.update(50, unit="photos", total=200)
    p.finish()
    text = out.getvalue()
    assert "x.zip: photos: [#####...............] 50/200 photos, 5.0 photos/s, 30 s left" in text
