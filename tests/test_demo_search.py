"""Issue 13's "done when", in demo mode over the API: a new user picks a model from
the list, asks with "Search the web" on, and the answer carries its sources and
searches; demo:search, demo:url and a message with links give what the real
captures give (tests/test_fixture_replay.py), laid out by the emulator."""
import pytest

from testkit.serverproc import HTTPFailure, ServerProcess


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    srv = ServerProcess(tmp_path_factory.mktemp("demo-search") / "data", "--demo").start()
    yield srv
    srv.stop()


def ask(srv, body):
    cid = srv.new_chat()
    index = srv.post("/api/chats/%s/messages" % cid, body)["index"]
    answer = srv.read_reply(cid, index)
    return answer, srv.get("/api/chats/" + cid)["messages"]


def test_pick_a_model_search_the_web_and_see_the_sources(demo):
    models = demo.get("/api/models")["models"]
    picked = [m["name"] for m in models if m["name"].startswith("gemini-3")][0]
    assert demo.request("PUT", "/api/settings", {"model": picked})["model"] == picked
    answer, messages = ask(demo, {"text": "How tall is Mont Blanc?", "search": True})
    assert answer["status"] == "done" and answer["text"].startswith("### From the web")
    assert len(answer["sources"]) >= 3 and all(s["title"] and s["site"] and s["uri"] for s in answer["sources"])
    assert answer["queries"] == ["How tall is Mont Blanc?"]
    assert messages[0]["search"] is True
    assert messages[1]["sources"] == answer["sources"] and messages[1]["queries"] == answer["queries"]


def test_without_search_there_are_no_sources(demo):
    answer, messages = ask(demo, {"text": "How tall is Mont Blanc?"})
    assert "sources" not in answer and "queries" not in answer and "search" not in messages[0]


def test_retry_searches_again(demo):
    cid = demo.new_chat()
    demo.read_reply(cid, demo.post("/api/chats/%s/messages" % cid, {"text": "Tides", "search": True})["index"])
    index = demo.post("/api/chats/%s/retry" % cid)["index"]
    assert demo.read_reply(cid, index)["queries"] == ["Tides"]


def test_demo_search_grounds_even_without_the_switch(demo):
    answer, _ = ask(demo, {"text": "demo:search volcanoes"})
    assert answer["queries"] == ["volcanoes"] and answer["sources"]


def test_demo_url_says_which_page_could_not_be_read(demo):
    answer, messages = ask(demo, {"text": "demo:url https://example.com/a and https://example.net/b"})
    assert answer["urls"] == [{"url": "https://example.com/a", "status": "SUCCESS"},
                              {"url": "https://example.net/b", "status": "ERROR"}]
    assert messages[1]["urls"] == answer["urls"]


def test_search_and_links_combine_in_one_reply(demo):
    answer, _ = ask(demo, {"text": "Is https://example.org/news still right?", "search": True})
    assert answer["sources"] and answer["queries"]
    assert answer["urls"] == [{"url": "https://example.org/news", "status": "SUCCESS"}], "no trailing '?'"


@pytest.mark.parametrize("search", ["yes", 1, [True]])
def test_a_search_flag_that_is_not_a_boolean_is_refused(demo, search):
    cid = demo.new_chat()
    with pytest.raises(HTTPFailure) as info:
        demo.post("/api/chats/%s/messages" % cid, {"text": "Hi", "search": search})
    assert info.value.status == 400 and "search" in info.value.body["error"]["message"]
