/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-model.h"

G_BEGIN_DECLS

/* A scripted model provider on 127.0.0.1 for tests: it runs
 * tests/common/sero-fake-provider.py, which speaks Anthropic Messages and
 * OpenAI Chat Completions (streamed) from a script of turns. The script
 * format is documented at the top of that file; in short:
 *
 *   {"turns": [
 *     {"text": "Hello", "thinking": "Hmm", "usage": {"input": 10, "output": 5}},
 *     {"toolCalls": [{"id": "call_1", "name": "bash", "arguments": {"command": "ls"}}]},
 *     {"status": 429, "headers": {"retry-after": "0"}, "message": "slow down"},
 *     {"text": "cut", "cutAfterEvents": 3},
 *     {"raw": "event: message_start\ndata: {oops\n\n"}
 *   ]}
 *
 * Each POST takes the next turn, whatever its protocol; when the turns run
 * out the server answers 500 saying so.
 *
 *   g_autoptr(SeroFakeProvider) fake = sero_fake_provider_new (script, FALSE);
 *   sero_fake_provider_write_models_json (fake, agent_dir);
 *   … resolve "scripted/scripted-anthropic" (or "scripted/scripted-openai")
 *   through a SeroModelRegistry on agent_dir, run the code under test …
 *   g_autoptr(GPtrArray) requests = sero_fake_provider_dup_requests (fake);
 *
 * Everything here aborts the test (g_error) when the server cannot start:
 * python3 is a test dependency, never skipped. */

#define SERO_FAKE_PROVIDER_ID        "scripted"
#define SERO_FAKE_MODEL_ANTHROPIC    "scripted-anthropic"
#define SERO_FAKE_MODEL_OPENAI       "scripted-openai"
#define SERO_FAKE_PROVIDER_KEY       "sk-scripted-test-key-1234"

typedef struct _SeroFakeProvider SeroFakeProvider;

/* Starts the server on a free port; returns once it listens. @script_json
 * is the script's text; @repeat_last repeats its last turn forever. */
SeroFakeProvider *sero_fake_provider_new              (const char       *script_json,
                                                       gboolean          repeat_last);
guint16           sero_fake_provider_get_port         (SeroFakeProvider *self);
/* The base URL a model of @api ("anthropic-messages" or
 * "openai-completions") uses: http://127.0.0.1:PORT or …/v1. */
char             *sero_fake_provider_dup_base_url     (SeroFakeProvider *self,
                                                       const char       *api);
/* A model pointing at the server, with its key and pricing: the same as
 * the registry resolves from the models.json written below. */
SeroModel        *sero_fake_provider_dup_model        (SeroFakeProvider *self,
                                                       const char       *api);
/* Writes (replaces) <agent_dir>/models.json with provider "scripted":
 * models "scripted-anthropic" (anthropic-messages) and "scripted-openai"
 * (openai-completions), apiKey SERO_FAKE_PROVIDER_KEY, pricing 3/15/0.3/3.75
 * and 2/8/0.5/0 per million tokens. Creates the folder if needed. */
void              sero_fake_provider_write_models_json (SeroFakeProvider *self,
                                                       const char       *agent_dir);
/* The requests received so far, oldest first, each
 * {"method", "path", "headers" (lower-case names; x-api-key and
 * authorization cut to "…" + last 4 chars), "body" (parsed JSON)}. */
GPtrArray        *sero_fake_provider_dup_requests     (SeroFakeProvider *self);
/* Kills the server and removes its files. */
void              sero_fake_provider_free             (SeroFakeProvider *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroFakeProvider, sero_fake_provider_free)

G_END_DECLS
