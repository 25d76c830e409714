"""Hostile requests to every playground endpoint: never a 500, and a 400 names the field (issue 24).

Deep nesting within the 1 MB limit, wrong-typed values for every field, digits that are not 0-9, a
model whose "version" is a list; then a session closed on request frees its slot at once.
"""
from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import nn
from viz.live.app import build_app
from viz.live.config import Setup
from viz.live.guards import MAX_BODY, Guards
from viz.live.sessions import Sessions

TOKEN = "a-test-token"
ORIGIN = "http://testserver"
SETUP_FIELDS = list(Setup().as_dict())
CONTROLS = {  # each POST endpoint and the fields its body reads
    "/api/session": ["setup", "replaces"],
    "/api/setup": ["setup"],
    "/api/play": ["playing"],
    "/api/step": [],
    "/api/reset": [],
    "/api/edit": ["layer", "neuron", "source", "value"],
    "/api/point": ["x1", "x2", "label"],
    "/api/point/remove": ["index"],
    "/api/csv": ["csv"],
    "/api/import": ["model"],
    "/api/close": [],
}
# JSON texts a browser could never send but a stranger can: each a value for any field
ODD_VALUES = ["null", "true", "-1", "1.5", "1e309", "-1e309", "NaN", "Infinity", "1" * 400, '"\\u00b2"',
              '"\\u2460"', '"' + "1" * 5000 + '"', '"\\ud800"', "[]", "{}", "[[[1]]]", '{"a": {"b": [1]}}',
              '"x1,x2,label\\n1,2,0\\n3,4,1"', '[' * 13 + ']' * 13]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@pytest.fixture(scope="module")
def client():
    app = build_app(TOKEN, {"testserver"}, Sessions(limit=500))
    with TestClient(app, headers={"x-chainrule-token": TOKEN, "origin": ORIGIN},
                    raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def key(client):
    answer = client.post("/api/session", json={"setup": {"points": 40, "hidden": [2]}})
    assert answer.status_code == 200, answer.text
    return answer.json()["session"]


def _refused_naming(answer, field: str | None = None) -> None:
    """A 4xx answer (never a 500) whose JSON names the field when it is a 400."""
    assert answer.status_code < 500, (answer.status_code, answer.text[:300])
    if answer.status_code == 400:
        document = answer.json()
        assert document["field"], document
        if field is not None:
            assert document["field"] == field, document
            assert field in document["error"], document


@pytest.mark.parametrize("path", CONTROLS)
def test_deeply_nested_json_within_the_size_limit_is_a_400_on_every_endpoint(client, key, path):
    for depth in (17, 1_000, 400_000):
        body = f'{{"session": "{key}", "setup": {"[" * depth}{"]" * depth}}}'.encode()
        assert len(body) < 1_000_000
        answer = client.post(path, content=body)
        assert answer.status_code == 400, answer.text[:200]
        assert answer.json()["field"] == "body"
        assert f"{depth + 1:,} levels deep" in answer.json()["error"]


def test_a_body_sent_a_byte_at_a_time_is_gathered_whole_into_one_message():
    async def app(scope, receive, send):
        size = str(len((await receive())["body"])).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": size})
    pieces, answers = iter(range(MAX_BODY)), []

    async def receive():  # one byte per message: a million messages, as a trickling client sends them
        return {"type": "http.request", "body": b"x", "more_body": next(pieces) < MAX_BODY - 1}

    async def send(message):
        answers.append(message)
    headers = [(b"host", b"testserver"), (b"x-chainrule-token", TOKEN.encode()), (b"origin", ORIGIN.encode())]
    scope = {"type": "http", "method": "POST", "query_string": b"", "headers": headers}
    asyncio.run(Guards(app, TOKEN, {"testserver"})(scope, receive, send))  # about 1 s (bytes + bytes: minutes)
    assert answers[-1]["body"] == str(MAX_BODY).encode()
    assert next(pieces, None) is None  # every message was read, none twice


def test_a_content_length_of_thousands_of_digits_is_a_413(client, key):
    answer = client.post("/api/step", content=b"{}", headers={"content-length": "9" * 5000})
    assert answer.status_code == 413, answer.text[:200]


@pytest.mark.parametrize("path", [path for path, fields in CONTROLS.items() if fields])
@pytest.mark.parametrize("odd", ODD_VALUES)
def test_odd_values_for_every_field_are_never_a_500(client, key, path, odd):
    for field in CONTROLS[path]:
        body = f'{{"session": "{key}", "{field}": {odd}}}'
        _refused_naming(client.post(path, content=body.encode()))
    if path == "/api/setup":
        for field in SETUP_FIELDS:
            answer = client.post(path, content=f'{{"session": "{key}", "setup": {{"{field}": {odd}}}}}'.encode())
            assert answer.status_code in (200, 400), answer.text[:300]
            if answer.status_code == 400:
                _refused_naming(answer, field)


@pytest.mark.parametrize("odd", ODD_VALUES)
def test_a_session_id_of_any_type_is_refused_without_a_500(client, odd):
    for path in CONTROLS:
        if path != "/api/session":
            _refused_naming(client.post(path, content=f'{{"session": {odd}}}'.encode()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([path for path in CONTROLS if path != "/api/close"]),
       values=st.dictionaries(st.text(max_size=10), JSON_VALUES, max_size=4),
       field=st.sampled_from(["setup", "model", "csv", "layer", "x1", "index", "playing", "value"]), value=JSON_VALUES)
def test_random_json_bodies_are_never_a_500(client, key, path, values, field, value):
    body = {**values, field: value, "session": key}
    _refused_naming(client.post(path, content=json.dumps(body).encode()))
    setup = dict(values, **{field: value})
    _refused_naming(client.post("/api/setup", content=json.dumps({"session": key, "setup": setup}).encode()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["version", "format", "architecture", "layers", "signature", "training", "nin", "nouts",
                              "activation", "bias", "weights", "biases", "inputs", "steps"]), value=JSON_VALUES)
def test_an_imported_model_with_any_field_of_any_type_is_a_400_naming_the_model(client, key, where, value):
    document = nn.model_json.to_dict(nn.MLP(2, [2, 1], seed=0, output_activation="sigmoid"))
    document["signature"] = {"inputs": ["x1", "x2"], "features": None, "classes": None}
    for mapping in (document, document["architecture"], document["layers"][0], document["signature"],
                    document["training"]):
        if where in mapping:
            mapping[where] = value
    answer = client.post("/api/import", content=json.dumps({"session": key, "model": document}).encode())
    assert answer.status_code in (200, 400), answer.text[:300]
    if answer.status_code == 400:
        _refused_naming(answer, "model")


@pytest.mark.parametrize("version", [[2], {"major": 2}, [[2]], "2"])
def test_an_import_whose_version_is_a_list_or_object_is_a_400(client, key, version):
    document = nn.model_json.to_dict(nn.MLP(2, [2, 1], seed=0))
    document["version"] = version
    answer = client.post("/api/import", json={"session": key, "model": document})
    assert answer.status_code == 400
    assert answer.json()["field"] == "model"
    assert "unsupported version" in answer.json()["error"]


@pytest.mark.parametrize("index", ["²", "①", "٣", "1" * 5000, "1.5", "-1", " 1", "", "1e3", "0x1"])
def test_explore_refuses_an_index_that_is_not_ascii_digits(client, key, index):
    answer = client.get("/explore", params={"session": key, "index": index})
    assert answer.status_code == 400, answer.text[:200]
    assert answer.json()["field"] == "index", answer.text[:200]
    assert "digits 0-9" in answer.json()["error"]
    assert client.get("/explore", params={"session": key, "index": "1"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/state", "/api/export", "/explore", "/api/stream"])
@pytest.mark.parametrize("odd", ["%C2%B2", "", "[1]", "%ED%B3%BF", "%FF", "%00", "x" * 3000])
def test_reads_with_odd_query_values_are_never_a_500(client, path, odd):
    _refused_naming(client.get(f"{path}?session={odd}&index={odd}"))


def test_a_closed_session_frees_its_slot_at_once_and_its_id_is_gone():
    sessions = Sessions(limit=1, idle_seconds=3600)
    with TestClient(build_app(TOKEN, {"testserver"}, sessions),
                    headers={"x-chainrule-token": TOKEN, "origin": ORIGIN}) as client:
        first = client.post("/api/session", json={"setup": {"points": 20}}).json()["session"]
        assert client.post("/api/session", json={"setup": {"points": 20}}).status_code == 503
        assert client.post("/api/close", json={"session": first}).json() == {"closed": True}
        assert client.post("/api/step", json={"session": first}).status_code == 404
        assert client.post("/api/close", json={"session": first}).json() == {"closed": False}
        assert client.post("/api/session", json={"setup": {"points": 20}}).status_code == 200
        assert TestClient(client.app).post("/api/close", params={"token": TOKEN},
                                           json={"session": first}).status_code == 403  # no Origin: refused
