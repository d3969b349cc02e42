"""Quotas and thinking refusals that say what to do (issue 13, musts 4-5), through the
whole server: a per-day 429 is `daily_quota` with the switch the page offers, a
per-minute one stays `rate_limited` with its wait; a thinking level the model
refuses is named. Real captures over a loopback upstream, and the emulator."""
import json
import os

import pytest

from kindlechat import errors
from testkit.fixtures import gemini_dir
from testkit.serverproc import ServerProcess
from testkit.upstream import Reply, Upstream


def capture(name):
    with open(os.path.join(gemini_dir(), name), "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def per_day(doc):
    """The roocode capture (the free tier's current 429) as a daily quota: its quotaId
    per day, as Gemini names it when the day's requests are used up, and the hours-long
    retryDelay people report with it."""
    for detail in doc["error"]["details"]:
        for violation in detail.get("violations", []):
            violation["quotaId"] = "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
        if "retryDelay" in detail:
            detail["retryDelay"] = "65205s"
    return doc


@pytest.fixture(scope="module")
def relay(tmp_path_factory):
    up = Upstream().start()
    srv = ServerProcess(tmp_path_factory.mktemp("quota") / "data", "--gemini-url", up.url, "--throttle-ms", "0",
                        env={"GEMINI_API_KEY": "test-key"}).start()
    yield up, srv
    srv.stop()
    up.stop()


def answer_to(relay, status, doc, text="Hi"):
    up, srv = relay
    up.script(Reply(status=status, body=json.dumps(doc, indent=2).encode("utf-8"), framing="length"))
    cid = srv.new_chat()
    answer = srv.read_reply(cid, srv.send(cid, text))
    stored = srv.get("/api/chats/" + cid)["messages"][-1]
    assert stored["error"] == answer["error"], "the stored message says the same"
    return answer["error"]


def test_a_per_day_quota_says_midnight_pacific_and_offers_the_switch(relay):
    error = answer_to(relay, 429, per_day(capture("err_429_quota_retryinfo_roocode_issue_3883.json")))
    assert error["code"] == "daily_quota" and error["switch"] is True
    assert "daily limit" in error["message"] and "midnight Pacific" in error["message"]
    assert "another model" in error["message"]
    assert "65205" not in error["message"] and "seconds" not in error["message"]


@pytest.mark.parametrize("name, wait", [("err_429_retryinfo_vercel.json", "35 seconds"),
                                        ("err_429_quota_retryinfo_roocode_issue_3883.json", "26 seconds")])
def test_a_per_minute_quota_stays_rate_limited_with_its_wait(relay, name, wait):
    error = answer_to(relay, 429, capture(name))
    assert error["code"] == "rate_limited" and wait in error["message"]
    assert "switch" not in error


@pytest.mark.parametrize("part, words", [("reasoningNoneResponse", "thinking level MINIMAL"),
                                         ("thinkingLevelAndBudgetResponse", "not both")])
def test_a_refused_thinking_setting_is_named(relay, part, words):
    error = answer_to(relay, 400, capture("err_400_thinking_config_vercel.json")[part])
    assert words in error["message"] and "Settings" in error["message"]


def test_every_daily_quota_error_carries_the_switch():
    assert errors.as_dict(errors.daily_quota())["switch"] is True
    assert "switch" not in errors.as_dict(errors.dropped())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("quota-demo") / "data", "--demo").start()
    yield srv
    srv.stop()


def test_demo_daily_is_a_daily_quota(demo):
    cid = demo.new_chat()
    answer = demo.read_reply(cid, demo.send(cid, "demo:daily"))
    assert answer["status"] == "error" and answer["error"]["code"] == "daily_quota" and answer["error"]["switch"]


def test_the_emulator_refuses_minimal_for_a_pro_model_in_geminis_words(demo):
    demo.request("PUT", "/api/settings", {"model": "gemini-3.1-pro-preview", "thinking_level": "MINIMAL",
                                          "thinking_budget": 100})
    try:
        cid = demo.new_chat()
        refused = demo.read_reply(cid, demo.send(cid, "Hi"))
        again = demo.read_reply(cid, demo.post("/api/chats/%s/retry" % cid)["index"])
        demo.request("PUT", "/api/settings", {"model": "gemini-3-flash-preview"})
        cid = demo.new_chat()
        fine = demo.read_reply(cid, demo.send(cid, "Hi"))
    finally:
        demo.request("PUT", "/api/settings", {"model": "gemini-flash-latest", "thinking_level": "",
                                              "thinking_budget": None})
    assert refused["status"] == "error" and "MINIMAL" in refused["error"]["message"]
    assert refused["error"]["code"] == "thinking_refused" and refused["error"]["level"] == "MINIMAL"
    assert again["status"] == "done", "the refused level is remembered: the model's default goes instead"
    # The budget stayed set: the emulator answers a request that carries both with a
    # 400, so "done" shows the Gemini 3 model got the level alone.
    assert fine["status"] == "done"
