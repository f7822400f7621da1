#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted model provider for Sero's tests: Anthropic Messages and OpenAI
Chat Completions, streamed, on 127.0.0.1.

Real providers cannot be reached from the tests, so this server answers
from a script, in the wire formats the providers document:

  Anthropic  https://docs.anthropic.com/en/api/messages-streaming
             https://docs.anthropic.com/en/api/errors
  OpenAI     https://platform.openai.com/docs/api-reference/chat/streaming
             https://platform.openai.com/docs/guides/error-codes

Usage:  sero-fake-provider.py --script FILE [--log FILE] [--repeat-last]

The first line on stdout is the port. Routes:

  POST /v1/messages          Anthropic (base URL http://127.0.0.1:PORT)
  POST /v1/chat/completions  OpenAI    (base URL http://127.0.0.1:PORT/v1)
  GET  /v1/models            either format (Anthropic's when the request
                             carries anthropic-version)

The script is {"turns": [TURN, ...]}; every POST takes the next turn,
whatever its protocol. A TURN is one of:

  content   {"text": "...", "thinking": "...",
             "toolCalls": [{"id": "call_1", "name": "bash", "arguments": {...}}],
             "stopReason": "stop" | "toolUse" | "length"   (default: toolUse
                           when there are tool calls, else stop),
             "usage": {"input": N, "output": N, "cacheRead": N, "cacheWrite": N},
             "chunk": characters per delta (default 4),
             "delayMs": pause between events (default 0),
             "holdMs": pause before the response starts (default 0),
             "cutAfterEvents": N   (send N SSE events, then drop the
                                    connection without ending the stream)}
  error     {"status": 401 | 429 | 500 | ..., "headers": {...}, "message": "...",
             "holdMs": ...}
  raw       {"raw": "...SSE text...", "status": 200}: the body is sent
            as is, as text/event-stream (for malformed streams)

Thinking streams as thinking_delta + signature_delta (Anthropic) or
delta.reasoning_content (OpenAI-compatible servers such as vLLM, llama.cpp
and DeepSeek; OpenAI itself does not stream reasoning text). Tool-call
arguments are serialised and streamed in chunks like text. When the script
runs out the answer is a 500 saying so; --repeat-last repeats the last turn
forever instead (for benchmarks).

--log FILE appends one JSON line per request: {"method", "path", "headers",
"body"}, with x-api-key and Authorization cut to their last 4 characters.
Python standard library only.
"""

import argparse
import json
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPTED_MODELS = ["scripted-anthropic", "scripted-openai"]

ANTHROPIC_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}

OPENAI_ERRORS = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}

ANTHROPIC_STOP = {"stop": "end_turn", "toolUse": "tool_use", "length": "max_tokens"}
OPENAI_STOP = {"stop": "stop", "toolUse": "tool_calls", "length": "length"}


class Script:
    def __init__(self, turns, repeat_last):
        self.turns = list(turns)
        self.repeat_last = repeat_last
        self.used = 0
        self.lock = threading.Lock()

    def next_turn(self):
        with self.lock:
            if self.used < len(self.turns):
                turn = self.turns[self.used]
                self.used += 1
                return turn
            if self.repeat_last and self.turns:
                self.used += 1
                return self.turns[-1]
            used = self.used
            self.used += 1
        return {
            "status": 500,
            "message": "The fake provider's script has no turn left (%d were used)" % used,
        }


def chunks(text, size):
    size = max(1, int(size))
    return [text[i:i + size] for i in range(0, len(text), size)]


def redact(name, value):
    if name.lower() in ("x-api-key", "authorization"):
        return "…" + value[-4:]
    return value


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sero-fake-provider/1"

    def log_message(self, fmt, *args):  # keep the test output clean
        pass

    def handle(self):
        # A client that hangs up (a cancelled request, a finished test) is
        # routine here, not worth a traceback in the test log.
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass

    # -- plumbing ---------------------------------------------------------

    def record(self, body):
        log = self.server.log_path
        if not log:
            return
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): redact(k, v) for k, v in self.headers.items()},
            "body": body,
        }
        with self.server.log_lock:
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
                f.flush()

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            return raw.decode("utf-8", "replace")

    def send_json(self, status, payload, headers=None):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def start_stream(self, status=200):
        self.send_response(status)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop(self):
        """Drop the connection mid-stream: no final chunk, just gone."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- routes -----------------------------------------------------------

    def do_GET(self):
        self.record(None)
        if self.path.split("?")[0] != "/v1/models":
            self.send_json(404, {"error": {"message": "No route " + self.path, "type": "invalid_request_error",
                                           "code": None}})
            return
        if "anthropic-version" in self.headers:
            data = [{"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}
                    for m in SCRIPTED_MODELS]
            self.send_json(200, {"data": data, "has_more": False,
                                 "first_id": data[0]["id"], "last_id": data[-1]["id"]})
        else:
            self.send_json(200, {"object": "list",
                                 "data": [{"id": m, "object": "model", "created": 0, "owned_by": "sero-tests"}
                                          for m in SCRIPTED_MODELS]})

    def do_POST(self):
        body = self.read_body()
        self.record(body)
        path = self.path.split("?")[0]
        if path == "/v1/messages":
            api = "anthropic"
        elif path == "/v1/chat/completions":
            api = "openai"
        else:
            self.send_json(404, {"error": {"message": "No route " + self.path, "type": "invalid_request_error",
                                           "code": None}})
            return

        turn = self.server.script.next_turn()
        model = body.get("model", "unknown") if isinstance(body, dict) else "unknown"
        try:
            hold = turn.get("holdMs", 0)
            if hold:
                time.sleep(hold / 1000.0)
            if "raw" in turn:
                self.start_stream(turn.get("status", 200))
                self.write_chunk(turn["raw"].encode("utf-8"))
                self.end_stream()
            elif "status" in turn and turn["status"] != 200:
                self.send_error_turn(api, turn)
            elif api == "anthropic":
                self.stream_anthropic(turn, model)
            else:
                include_usage = bool(isinstance(body, dict) and
                                     (body.get("stream_options") or {}).get("include_usage"))
                self.stream_openai(turn, model, include_usage)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away (a cancelled request): nothing to do.
            self.close_connection = True

    # -- errors -----------------------------------------------------------

    def send_error_turn(self, api, turn):
        status = int(turn["status"])
        message = turn.get("message") or "Scripted error %d" % status
        headers = dict(turn.get("headers") or {})
        if api == "anthropic":
            headers.setdefault("request-id", "req_" + uuid.uuid4().hex[:24])
            kind = ANTHROPIC_ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
            payload = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            kind, code = OPENAI_ERRORS.get(status, ("server_error" if status >= 500 else "invalid_request_error",
                                                    None))
            payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        self.send_json(status, payload, headers)

    # -- streams ----------------------------------------------------------

    def event_writer(self, turn):
        """Returns send(name, payload) → False once the cut point is reached."""
        state = {"sent": 0}
        cut = turn.get("cutAfterEvents")
        delay = turn.get("delayMs", 0) / 1000.0

        def send(name, payload):
            if cut is not None and state["sent"] >= cut:
                return False
            if delay and state["sent"]:
                time.sleep(delay)
            text = ""
            if name is not None:
                text += "event: %s\n" % name
            text += "data: %s\n\n" % (payload if isinstance(payload, str) else json.dumps(payload))
            self.write_chunk(text.encode("utf-8"))
            state["sent"] += 1
            return True

        return send

    def stream_anthropic(self, turn, model):
        usage = turn.get("usage") or {}
        size = turn.get("chunk", 4)
        tool_calls = turn.get("toolCalls") or []
        stop = turn.get("stopReason") or ("toolUse" if tool_calls else "stop")
        send = self.event_writer(turn)
        self.start_stream()

        def run():
            message = {
                "id": "msg_" + uuid.uuid4().hex[:24], "type": "message", "role": "assistant",
                "content": [], "model": model, "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": usage.get("input", 0),
                          "cache_creation_input_tokens": usage.get("cacheWrite", 0),
                          "cache_read_input_tokens": usage.get("cacheRead", 0),
                          "output_tokens": 1},
            }
            if not send("message_start", {"type": "message_start", "message": message}):
                return False
            index = 0
            if turn.get("thinking"):
                if not send("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": {"type": "thinking", "thinking": "",
                                                                      "signature": ""}}):
                    return False
                if not send("ping", {"type": "ping"}):
                    return False
                for piece in chunks(turn["thinking"], size):
                    if not send("content_block_delta", {"type": "content_block_delta", "index": index,
                                                        "delta": {"type": "thinking_delta", "thinking": piece}}):
                        return False
                if not send("content_block_delta", {"type": "content_block_delta", "index": index,
                                                    "delta": {"type": "signature_delta",
                                                              "signature": "sig-" + uuid.uuid4().hex}}):
                    return False
                if not send("content_block_stop", {"type": "content_block_stop", "index": index}):
                    return False
                index += 1
            if turn.get("text"):
                if not send("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": {"type": "text", "text": ""}}):
                    return False
                for piece in chunks(turn["text"], size):
                    if not send("content_block_delta", {"type": "content_block_delta", "index": index,
                                                        "delta": {"type": "text_delta", "text": piece}}):
                        return False
                if not send("content_block_stop", {"type": "content_block_stop", "index": index}):
                    return False
                index += 1
            for call in tool_calls:
                if not send("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": {"type": "tool_use", "id": call["id"],
                                                                      "name": call["name"], "input": {}}}):
                    return False
                arguments = json.dumps(call.get("arguments") or {})
                for piece in chunks(arguments, size):
                    if not send("content_block_delta", {"type": "content_block_delta", "index": index,
                                                        "delta": {"type": "input_json_delta",
                                                                  "partial_json": piece}}):
                        return False
                if not send("content_block_stop", {"type": "content_block_stop", "index": index}):
                    return False
                index += 1
            if not send("message_delta", {"type": "message_delta",
                                          "delta": {"stop_reason": ANTHROPIC_STOP.get(stop, stop),
                                                    "stop_sequence": None},
                                          "usage": {"output_tokens": usage.get("output", 0)}}):
                return False
            return send("message_stop", {"type": "message_stop"})

        if run():
            self.end_stream()
        else:
            self.drop()

    def stream_openai(self, turn, model, include_usage):
        usage = turn.get("usage") or {}
        size = turn.get("chunk", 4)
        tool_calls = turn.get("toolCalls") or []
        stop = turn.get("stopReason") or ("toolUse" if tool_calls else "stop")
        send = self.event_writer(turn)
        ident = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        self.start_stream()

        def chunk(delta, finish=None):
            return {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                    "system_fingerprint": "fp_sero",
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        def run():
            if not send(None, chunk({"role": "assistant", "content": ""})):
                return False
            for piece in chunks(turn.get("thinking") or "", size):
                if not send(None, chunk({"reasoning_content": piece})):
                    return False
            for piece in chunks(turn.get("text") or "", size):
                if not send(None, chunk({"content": piece})):
                    return False
            for index, call in enumerate(tool_calls):
                first = {"index": index, "id": call["id"], "type": "function",
                         "function": {"name": call["name"], "arguments": ""}}
                if not send(None, chunk({"tool_calls": [first]})):
                    return False
                for piece in chunks(json.dumps(call.get("arguments") or {}), size):
                    if not send(None, chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})):
                        return False
            if not send(None, chunk({}, OPENAI_STOP.get(stop, stop))):
                return False
            if include_usage:
                cached = usage.get("cacheRead", 0)
                prompt = usage.get("input", 0) + cached
                completion = usage.get("output", 0)
                final = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model,
                         "system_fingerprint": "fp_sero", "choices": [],
                         "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                   "total_tokens": prompt + completion,
                                   "prompt_tokens_details": {"cached_tokens": cached}}}
                if not send(None, final):
                    return False
            return send(None, "[DONE]")

        if run():
            self.end_stream()
        else:
            self.drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script", required=True, help="the JSON script: {\"turns\": [...]}")
    parser.add_argument("--log", help="append one JSON line per request to this file")
    parser.add_argument("--repeat-last", action="store_true", help="repeat the last turn when the script runs out")
    args = parser.parse_args()

    with open(args.script, encoding="utf-8") as f:
        script = json.load(f)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.script = Script(script.get("turns", []), args.repeat_last)
    server.log_path = args.log
    server.log_lock = threading.Lock()

    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
