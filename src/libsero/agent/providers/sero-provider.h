/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-model.h"

G_BEGIN_DECLS

#define SERO_PROVIDER_ERROR (sero_provider_error_quark ())

/**
 * SeroProviderError:
 * @SERO_PROVIDER_ERROR_AUTH: 401 or 403: "Authentication failed for <provider>"
 * @SERO_PROVIDER_ERROR_RATE_LIMITED: 429, after the retries ran out
 * @SERO_PROVIDER_ERROR_SERVER: 5xx or an error event in the stream, after retries
 * @SERO_PROVIDER_ERROR_NETWORK: no connection, or it dropped, after retries
 * @SERO_PROVIDER_ERROR_PROTOCOL: a malformed stream or response
 * @SERO_PROVIDER_ERROR_REQUEST: another 4xx: the request was refused
 * @SERO_PROVIDER_ERROR_UNSUPPORTED_API: the model's api is not one we speak
 */
typedef enum
{
  SERO_PROVIDER_ERROR_AUTH,
  SERO_PROVIDER_ERROR_RATE_LIMITED,
  SERO_PROVIDER_ERROR_SERVER,
  SERO_PROVIDER_ERROR_NETWORK,
  SERO_PROVIDER_ERROR_PROTOCOL,
  SERO_PROVIDER_ERROR_REQUEST,
  SERO_PROVIDER_ERROR_UNSUPPORTED_API,
} SeroProviderError;

typedef enum
{
  SERO_STREAM_TEXT_DELTA,
  SERO_STREAM_THINKING_DELTA,
  SERO_STREAM_TOOLCALL_START,
  SERO_STREAM_TOOLCALL_DELTA,
  SERO_STREAM_TOOLCALL_END,
  SERO_STREAM_RETRY,
} SeroStreamEventKind;

/**
 * SeroStreamEvent:
 * @kind: what happened
 * @content_index: index of the content block in the assistant message
 * @delta: text, thinking or tool-argument JSON fragment; for
 *   %SERO_STREAM_TOOLCALL_END, the call's whole argument JSON
 * @tool_call_id: for tool-call events
 * @tool_name: for tool-call events
 * @attempt: for %SERO_STREAM_RETRY, the attempt about to be made (2, 3, …)
 * @delay_ms: for %SERO_STREAM_RETRY, the wait before it
 * @message: for %SERO_STREAM_RETRY, why
 *
 * Delivered on the thread-default main context of the caller of
 * sero_provider_stream_async(). Strings are only valid during the callback.
 */
typedef struct
{
  SeroStreamEventKind  kind;
  guint                content_index;
  const char          *delta;
  const char          *tool_call_id;
  const char          *tool_name;
  guint                attempt;
  guint                delay_ms;
  const char          *message;
} SeroStreamEvent;

typedef void (*SeroStreamFunc) (const SeroStreamEvent *event,
                                gpointer               user_data);

/**
 * SeroProviderRequest:
 * @system_prompt: (nullable): the system prompt
 * @messages: pi-format messages (user, assistant, toolResult) in order
 * @tools: (nullable): `[{name, description, parameters}]`, parameters a JSON schema
 * @thinking_level: (nullable): "off", "low", "medium" or "high"; %NULL is off
 * @session_id: (nullable): sent where a provider accepts it, for caching
 */
typedef struct
{
  const char *system_prompt;
  JsonArray  *messages;
  JsonArray  *tools;
  const char *thinking_level;
  const char *session_id;
} SeroProviderRequest;

/* Retries: 429, 5xx, an error event and a failed or dropped connection are
 * retried up to 3 times (base 1 s, doubling, or the server's Retry-After),
 * each announced with %SERO_STREAM_RETRY, but only while no delta has
 * reached @on_event; after that the error is returned at once and the
 * caller keeps what it was shown. The environment variable
 * SERO_PROVIDER_RETRY_BASE_MS shortens the base delay; it is a test knob,
 * not a setting. */

GQuark      sero_provider_error_quark   (void);
void        sero_provider_stream_async  (const SeroModel            *model,
                                         const SeroProviderRequest  *request,
                                         SeroStreamFunc              on_event,
                                         gpointer                    event_data,
                                         GCancellable               *cancellable,
                                         GAsyncReadyCallback         callback,
                                         gpointer                    user_data);
JsonObject *sero_provider_stream_finish (GAsyncResult               *result,
                                         GError                    **error);

G_END_DECLS
