/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-provider"

#include "config.h"

#include <string.h>

#include "sero-provider-private.h"

/* One streamed answer from a model, over libsoup.
 *
 * Retries. 429, 5xx (and Anthropic's 529), an error event in the stream,
 * and a connection that fails or drops are retried, at most MAX_RETRIES
 * times, waiting base·2^(n-1) ms (base 1 s) or what Retry-After asks for,
 * each announced with a %SERO_STREAM_RETRY event, all cancellable. But only
 * while nothing has been delivered: once a text, thinking or tool-call
 * event reached the caller, a retry would show the answer twice, so a
 * failure after that is reported at once (NETWORK "dropped mid-answer" or
 * SERVER) and the caller keeps the partial answer. A server that asks to
 * wait longer than MAX_RETRY_AFTER_MS is not waited for.
 *
 * SERO_PROVIDER_RETRY_BASE_MS overrides the base delay. It is a test knob:
 * the tests set it to a few milliseconds so that four attempts take no time.
 *
 * SSE is parsed here by hand: neither GLib nor libsoup 3.2 has an
 * EventSource client, and the framing we need (event:, data:, blank line)
 * is a few lines over GDataInputStream. */

#define MAX_RETRIES         3
#define DEFAULT_RETRY_MS    1000
#define MAX_RETRY_AFTER_MS  60000
#define MAX_ERROR_BODY      (64 * 1024)
#define MAX_EVENT_SIZE      (32 * 1024 * 1024)
#define IO_TIMEOUT_SECONDS  300

G_DEFINE_QUARK (sero-provider-error-quark, sero_provider_error)

typedef struct
{
  SeroBlockKind  kind;
  GString       *text;       /* text, thinking, or the tool call's JSON */
  GString       *signature;  /* thinking only */
  char          *tool_call_id;
  char          *tool_name;
  gboolean       redacted;
  gboolean       closed;
} Block;

struct _SeroProviderStream
{
  SeroModel                  *model;
  const SeroProviderProtocol *protocol;
  gpointer                    state;
  SeroStreamFunc              on_event;
  gpointer                    event_data;

  JsonArray                  *messages;
  JsonArray                  *tools;
  char                       *system_prompt;
  char                       *thinking_level;
  char                       *session_id;

  SoupSession                *session;
  SoupMessage                *message;
  GDataInputStream           *lines;
  guint8                     *error_body;
  GSource                    *retry_source;
  guint                       attempt;

  GString                    *sse_event;
  GString                    *sse_data;
  gboolean                    sse_has_data;

  GPtrArray                  *blocks;
  gint64                      usage[4];
  char                       *stop_reason;
  gboolean                    done;
  gboolean                    delivered;
};

static void
block_free (Block *block)
{
  g_string_free (block->text, TRUE);
  if (block->signature != NULL)
    g_string_free (block->signature, TRUE);
  g_free (block->tool_call_id);
  g_free (block->tool_name);
  g_free (block);
}

static void
stream_reset (SeroProviderStream *stream)
{
  if (stream->state != NULL)
    stream->protocol->state_free (stream->state);
  stream->state = stream->protocol->state_new ();
  g_ptr_array_set_size (stream->blocks, 0);
  memset (stream->usage, 0, sizeof stream->usage);
  g_clear_pointer (&stream->stop_reason, g_free);
  stream->done = FALSE;
  g_string_truncate (stream->sse_event, 0);
  g_string_truncate (stream->sse_data, 0);
  stream->sse_has_data = FALSE;
  g_clear_object (&stream->lines);
  g_clear_object (&stream->message);
  g_clear_pointer (&stream->error_body, g_free);
}

static void
stream_free (SeroProviderStream *stream)
{
  if (stream->retry_source != NULL)
    {
      g_source_destroy (stream->retry_source);
      g_source_unref (stream->retry_source);
    }
  if (stream->state != NULL)
    stream->protocol->state_free (stream->state);
  g_clear_pointer (&stream->model, sero_model_free);
  g_clear_pointer (&stream->messages, json_array_unref);
  g_clear_pointer (&stream->tools, json_array_unref);
  g_free (stream->system_prompt);
  g_free (stream->thinking_level);
  g_free (stream->session_id);
  g_clear_object (&stream->lines);
  g_clear_object (&stream->message);
  g_clear_object (&stream->session);
  g_free (stream->error_body);
  g_string_free (stream->sse_event, TRUE);
  g_string_free (stream->sse_data, TRUE);
  g_ptr_array_unref (stream->blocks);
  g_free (stream->stop_reason);
  g_free (stream);
}

/* ------------------------------------------------------------------------ */
/* What protocols call                                                       */

const SeroModel *
_sero_provider_stream_get_model (SeroProviderStream *stream)
{
  return stream->model;
}

gpointer
_sero_provider_stream_get_state (SeroProviderStream *stream)
{
  return stream->state;
}

static void
emit (SeroProviderStream    *stream,
      const SeroStreamEvent *event)
{
  if (stream->on_event != NULL)
    stream->on_event (event, stream->event_data);
}

guint
_sero_provider_stream_open_block (SeroProviderStream *stream,
                                  SeroBlockKind       kind,
                                  const char         *tool_call_id,
                                  const char         *tool_name)
{
  Block *block = g_new0 (Block, 1);
  guint index = stream->blocks->len;

  block->kind = kind;
  block->text = g_string_new (NULL);
  if (kind == SERO_BLOCK_THINKING)
    block->signature = g_string_new (NULL);
  block->tool_call_id = g_strdup (tool_call_id != NULL ? tool_call_id : "");
  block->tool_name = g_strdup (tool_name != NULL ? tool_name : "");
  g_ptr_array_add (stream->blocks, block);

  if (kind == SERO_BLOCK_TOOL_CALL)
    {
      SeroStreamEvent event = {
        .kind = SERO_STREAM_TOOLCALL_START,
        .content_index = index,
        .tool_call_id = block->tool_call_id,
        .tool_name = block->tool_name,
      };

      stream->delivered = TRUE;
      emit (stream, &event);
    }

  return index;
}

guint
_sero_provider_stream_get_n_blocks (SeroProviderStream *stream)
{
  return stream->blocks->len;
}

gboolean
_sero_provider_stream_get_block_kind (SeroProviderStream *stream,
                                      guint               index,
                                      SeroBlockKind      *kind)
{
  if (index >= stream->blocks->len)
    return FALSE;
  *kind = ((Block *) g_ptr_array_index (stream->blocks, index))->kind;
  return TRUE;
}

void
_sero_provider_stream_append (SeroProviderStream *stream,
                              guint               index,
                              const char         *delta)
{
  Block *block;
  SeroStreamEvent event = { 0 };

  g_assert (index < stream->blocks->len);

  if (delta == NULL || *delta == '\0')
    return;

  block = g_ptr_array_index (stream->blocks, index);
  g_string_append (block->text, delta);

  event.content_index = index;
  event.delta = delta;
  switch (block->kind)
    {
    case SERO_BLOCK_TEXT:
      event.kind = SERO_STREAM_TEXT_DELTA;
      break;
    case SERO_BLOCK_THINKING:
      event.kind = SERO_STREAM_THINKING_DELTA;
      break;
    case SERO_BLOCK_TOOL_CALL:
      event.kind = SERO_STREAM_TOOLCALL_DELTA;
      event.tool_call_id = block->tool_call_id;
      event.tool_name = block->tool_name;
      break;
    default:
      g_assert_not_reached ();
    }

  stream->delivered = TRUE;
  emit (stream, &event);
}

void
_sero_provider_stream_append_signature (SeroProviderStream *stream,
                                        guint               index,
                                        const char         *signature)
{
  Block *block;

  g_assert (index < stream->blocks->len);
  block = g_ptr_array_index (stream->blocks, index);
  if (block->signature != NULL && signature != NULL)
    g_string_append (block->signature, signature);
}

void
_sero_provider_stream_set_redacted (SeroProviderStream *stream,
                                    guint               index)
{
  g_assert (index < stream->blocks->len);
  ((Block *) g_ptr_array_index (stream->blocks, index))->redacted = TRUE;
}

void
_sero_provider_stream_close_block (SeroProviderStream *stream,
                                   guint               index)
{
  Block *block;

  g_assert (index < stream->blocks->len);
  block = g_ptr_array_index (stream->blocks, index);
  if (block->closed)
    return;
  block->closed = TRUE;

  if (block->kind == SERO_BLOCK_TOOL_CALL)
    {
      SeroStreamEvent event = {
        .kind = SERO_STREAM_TOOLCALL_END,
        .content_index = index,
        .tool_call_id = block->tool_call_id,
        .tool_name = block->tool_name,
        .delta = block->text->str,
      };

      emit (stream, &event);
    }
}

void
_sero_provider_stream_close_all (SeroProviderStream *stream)
{
  for (guint i = 0; i < stream->blocks->len; i++)
    _sero_provider_stream_close_block (stream, i);
}

void
_sero_provider_stream_set_usage (SeroProviderStream *stream,
                                 gint64              input,
                                 gint64              output,
                                 gint64              cache_read,
                                 gint64              cache_write)
{
  gint64 values[4] = { input, output, cache_read, cache_write };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] >= 0)
      stream->usage[i] = values[i];
}

void
_sero_provider_stream_set_stop_reason (SeroProviderStream *stream,
                                       const char         *pi_stop_reason)
{
  g_free (stream->stop_reason);
  stream->stop_reason = g_strdup (pi_stop_reason);
}

void
_sero_provider_stream_set_done (SeroProviderStream *stream)
{
  stream->done = TRUE;
}

JsonObject *
_sero_provider_parse_object (const char  *data,
                             const char  *provider,
                             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, -1, &local_error))
    {
      g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                   "%s sent an event that is not JSON (%s)", provider, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                   "%s sent an event that is not a JSON object", provider);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

char *
_sero_provider_join_url (const char *base,
                         const char *path)
{
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s%s", (int) len, base, path);
}

void
_sero_provider_apply_headers (SoupMessage     *message,
                              const SeroModel *model)
{
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  if (model->headers != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, model->headers);
      while (g_hash_table_iter_next (&iter, &name, &value))
        soup_message_headers_replace (headers, name, value);
    }
}

/* pi allows a user message's content to be a bare string. */
JsonArray *
_sero_provider_content_blocks (JsonObject *message)
{
  JsonNode *node = json_object_get_member (message, "content");
  JsonArray *blocks;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    return json_array_ref (json_node_get_array (node));

  blocks = json_array_new ();
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      JsonObject *text = json_object_new ();

      json_object_set_string_member (text, "type", "text");
      json_object_set_string_member (text, "text", json_node_get_string (node));
      json_array_add_object_element (blocks, text);
    }
  return blocks;
}

char *
_sero_provider_tool_result_text (JsonObject *message)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonNode *node = json_array_get_element (blocks, i);
      JsonObject *block;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (block, "type", ""), "text") != 0)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, json_object_get_string_member_with_default (block, "text", ""));
    }

  return g_string_free (text, FALSE);
}

/* ------------------------------------------------------------------------ */
/* The final message                                                         */

static JsonObject *
build_message (SeroProviderStream  *stream,
               GError             **error)
{
  const SeroModel *model = stream->model;
  g_autoptr(JsonObject) message = json_object_new ();
  JsonArray *content = json_array_new ();
  JsonObject *usage = json_object_new ();
  JsonObject *cost = json_object_new ();
  gboolean has_tool_call = FALSE;
  const char *stop_reason = stream->stop_reason != NULL ? stream->stop_reason : "stop";
  double costs[4];
  gint64 total = 0;

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_array_member (message, "content", content);

  for (guint i = 0; i < stream->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (stream->blocks, i);
      JsonObject *out;

      switch (block->kind)
        {
        case SERO_BLOCK_TEXT:
          if (block->text->len == 0)
            continue;
          out = json_object_new ();
          json_object_set_string_member (out, "type", "text");
          json_object_set_string_member (out, "text", block->text->str);
          break;

        case SERO_BLOCK_THINKING:
          if (block->text->len == 0 && !block->redacted &&
              (block->signature == NULL || block->signature->len == 0))
            continue;
          out = json_object_new ();
          json_object_set_string_member (out, "type", "thinking");
          json_object_set_string_member (out, "thinking", block->text->str);
          if (block->signature != NULL && block->signature->len > 0)
            json_object_set_string_member (out, "thinkingSignature", block->signature->str);
          if (block->redacted)
            json_object_set_boolean_member (out, "redacted", TRUE);
          break;

        case SERO_BLOCK_TOOL_CALL:
          {
            g_autoptr(JsonParser) parser = json_parser_new ();
            g_autoptr(GError) local_error = NULL;
            JsonNode *root;

            out = json_object_new ();
            json_object_set_string_member (out, "type", "toolCall");
            json_object_set_string_member (out, "id", block->tool_call_id);
            json_object_set_string_member (out, "name", block->tool_name);

            if (g_strstrip (block->text->str)[0] == '\0')
              {
                json_object_set_object_member (out, "arguments", json_object_new ());
              }
            else if (json_parser_load_from_data (parser, block->text->str, -1, &local_error) &&
                     (root = json_parser_get_root (parser)) != NULL &&
                     JSON_NODE_HOLDS_OBJECT (root))
              {
                json_object_set_member (out, "arguments", json_node_copy (root));
              }
            else
              {
                json_object_unref (out);
                g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                             "%s sent arguments for the tool call %s (%s) that are not a JSON object",
                             model->provider, block->tool_call_id, block->tool_name);
                return NULL;
              }
            has_tool_call = TRUE;
          }
          break;

        default:
          g_assert_not_reached ();
        }

      json_array_add_object_element (content, out);
    }

  /* Some OpenAI-compatible servers finish a tool call with "stop". */
  if (has_tool_call && g_str_equal (stop_reason, "stop"))
    stop_reason = "toolUse";

  costs[0] = model->cost.input * stream->usage[0] / 1e6;
  costs[1] = model->cost.output * stream->usage[1] / 1e6;
  costs[2] = model->cost.cache_read * stream->usage[2] / 1e6;
  costs[3] = model->cost.cache_write * stream->usage[3] / 1e6;
  for (guint i = 0; i < 4; i++)
    total += stream->usage[i];

  json_object_set_int_member (usage, "input", stream->usage[0]);
  json_object_set_int_member (usage, "output", stream->usage[1]);
  json_object_set_int_member (usage, "cacheRead", stream->usage[2]);
  json_object_set_int_member (usage, "cacheWrite", stream->usage[3]);
  json_object_set_int_member (usage, "totalTokens", total);
  json_object_set_double_member (cost, "input", costs[0]);
  json_object_set_double_member (cost, "output", costs[1]);
  json_object_set_double_member (cost, "cacheRead", costs[2]);
  json_object_set_double_member (cost, "cacheWrite", costs[3]);
  json_object_set_double_member (cost, "total", costs[0] + costs[1] + costs[2] + costs[3]);
  json_object_set_object_member (usage, "cost", cost);

  json_object_set_string_member (message, "api", model->api);
  json_object_set_string_member (message, "provider", model->provider);
  json_object_set_string_member (message, "model", model->id);
  json_object_set_object_member (message, "usage", usage);
  json_object_set_string_member (message, "stopReason", stop_reason);
  json_object_set_int_member (message, "timestamp", g_get_real_time () / 1000);

  return g_steal_pointer (&message);
}

/* ------------------------------------------------------------------------ */
/* The exchange                                                              */

static void start_attempt (GTask *task);
static void read_next_line (GTask *task);

static guint
retry_base_ms (void)
{
  const char *env = g_getenv ("SERO_PROVIDER_RETRY_BASE_MS");
  guint64 value;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, 600000, &value, NULL))
    return (guint) value;
  return DEFAULT_RETRY_MS;
}

/* Retry-After as seconds or an HTTP date; OpenAI's retry-after-ms first.
 * Returns -1 when the server said nothing usable. */
static gint64
retry_after_ms (SoupMessage *message)
{
  SoupMessageHeaders *headers;
  const char *value;
  guint64 number;

  if (message == NULL)
    return -1;
  headers = soup_message_get_response_headers (message);

  value = soup_message_headers_get_one (headers, "retry-after-ms");
  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32, &number, NULL))
    return (gint64) number;

  value = soup_message_headers_get_one (headers, "Retry-After");
  if (value == NULL)
    return -1;
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT32 / 1000, &number, NULL))
    return (gint64) number * 1000;

  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    if (when == NULL)
      return -1;
    return MAX (0, g_date_time_difference (when, now) / 1000);
  }
}

static gboolean
is_retryable (const GError *error)
{
  return g_error_matches (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_RATE_LIMITED) ||
         g_error_matches (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_SERVER) ||
         g_error_matches (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK);
}

static gboolean
on_retry_due (gpointer user_data)
{
  GTask *task = user_data;
  SeroProviderStream *stream = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_clear_pointer (&stream->retry_source, g_source_unref);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The request was cancelled");
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  start_attempt (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_retry_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  return on_retry_due (user_data);
}

/* Ends the attempt with @error: waits and tries again when that may help,
 * otherwise returns the error. Consumes the task's reference. */
static void
fail_attempt (GTask  *task,
              GError *error)
{
  SeroProviderStream *stream = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 wait_ms;
  guint delay_ms;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (cancellable))
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The request was cancelled");
      g_object_unref (task);
      return;
    }

  if (!is_retryable (error) || stream->delivered)
    {
      if (stream->delivered && g_error_matches (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK))
        g_prefix_error (&error, "%s stopped mid-answer: ", stream->model->provider);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (stream->attempt > MAX_RETRIES)
    {
      g_autofree char *cause = g_strdup (error->message);

      g_free (error->message);
      error->message = g_strdup_printf ("%s; gave up after %u retries", cause, MAX_RETRIES);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  wait_ms = retry_after_ms (stream->message);
  if (wait_ms > MAX_RETRY_AFTER_MS)
    {
      g_autofree char *cause = g_strdup (error->message);

      g_free (error->message);
      error->message = g_strdup_printf ("%s; it asks to wait %" G_GINT64_FORMAT " s, so try again later",
                                        cause, wait_ms / 1000);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (wait_ms < 0)
    wait_ms = (gint64) retry_base_ms () << (stream->attempt - 1);
  delay_ms = (guint) wait_ms;

  stream->attempt++;
  {
    SeroStreamEvent event = {
      .kind = SERO_STREAM_RETRY,
      .attempt = stream->attempt,
      .delay_ms = delay_ms,
      .message = error->message,
    };

    g_debug ("Retrying %s in %u ms (attempt %u): %s",
             stream->model->provider, delay_ms, stream->attempt, error->message);
    emit (stream, &event);
  }
  g_error_free (error);

  stream_reset (stream);

  /* Whichever comes first: the delay, or the cancellable. The task's
   * reference moves to the source. */
  if (cancellable != NULL)
    {
      stream->retry_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (stream->retry_source, G_SOURCE_FUNC (on_retry_cancelled), task, NULL);
      g_source_set_ready_time (stream->retry_source, g_get_monotonic_time () + (gint64) delay_ms * 1000);
    }
  else
    {
      stream->retry_source = g_timeout_source_new (delay_ms);
      g_source_set_callback (stream->retry_source, on_retry_due, task, NULL);
    }
  g_source_attach (stream->retry_source, g_task_get_context (task));
}

static void
finish_stream (GTask *task)
{
  SeroProviderStream *stream = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  JsonObject *message;

  _sero_provider_stream_close_all (stream);
  message = build_message (stream, &error);
  if (message == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, message, (GDestroyNotify) json_object_unref);

  /* Closing is best effort: the answer is complete. */
  if (stream->lines != NULL)
    g_input_stream_close_async (G_INPUT_STREAM (stream->lines), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_object_unref (task);
}

static gboolean
dispatch_event (GTask   *task,
                GError **error)
{
  SeroProviderStream *stream = g_task_get_task_data (task);
  gboolean ok;

  ok = stream->protocol->handle_event (stream,
                                       stream->sse_event->len > 0 ? stream->sse_event->str : "message",
                                       stream->sse_data->str,
                                       error);
  g_string_truncate (stream->sse_event, 0);
  g_string_truncate (stream->sse_data, 0);
  stream->sse_has_data = FALSE;
  return ok;
}

/* One line of the event stream (WHATWG HTML, "Server-sent events"). */
static gboolean
feed_line (GTask       *task,
           const char  *line,
           GError     **error)
{
  SeroProviderStream *stream = g_task_get_task_data (task);
  const char *colon;
  const char *value;
  gsize field_len;

  if (*line == '\0')
    return !stream->sse_has_data || dispatch_event (task, error);

  if (*line == ':')
    return TRUE; /* a comment, e.g. OpenRouter's ": OPENROUTER PROCESSING" */

  colon = strchr (line, ':');
  field_len = colon != NULL ? (gsize) (colon - line) : strlen (line);
  value = colon != NULL ? colon + 1 : "";
  if (*value == ' ')
    value++;

  if (field_len == 5 && strncmp (line, "event", 5) == 0)
    g_string_assign (stream->sse_event, value);
  else if (field_len == 4 && strncmp (line, "data", 4) == 0)
    {
      if (stream->sse_has_data)
        g_string_append_c (stream->sse_data, '\n');
      g_string_append (stream->sse_data, value);
      stream->sse_has_data = TRUE;
      if (stream->sse_data->len > MAX_EVENT_SIZE)
        {
          g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                       "%s sent an event larger than %d MB", stream->model->provider,
                       MAX_EVENT_SIZE / (1024 * 1024));
          return FALSE;
        }
    }
  /* "id", "retry" and unknown fields mean nothing to us. */

  return TRUE;
}

static void
on_line_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  SeroProviderStream *stream = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, &length, &error);

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail_attempt (task, g_steal_pointer (&error));
          return;
        }
      if (g_error_matches (error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
        {
          fail_attempt (task, g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                                           "%s sent a stream that is not UTF-8", stream->model->provider));
          return;
        }
      fail_attempt (task, g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK,
                                       "the connection to %s failed while reading the answer: %s",
                                       stream->model->provider, error->message));
      return;
    }

  if (line == NULL)
    {
      /* End of the stream. A complete answer may end without its final
       * blank line or [DONE]; one without a stop reason was cut off. */
      if (stream->sse_has_data && !dispatch_event (task, &error))
        {
          fail_attempt (task, g_steal_pointer (&error));
          return;
        }
      if (stream->done || stream->stop_reason != NULL)
        finish_stream (task);
      else
        fail_attempt (task, g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK,
                                         "the connection to %s closed before the answer was complete",
                                         stream->model->provider));
      return;
    }

  if (length > 0 && line[length - 1] == '\r')
    line[length - 1] = '\0';

  if (!feed_line (task, line, &error))
    {
      fail_attempt (task, g_steal_pointer (&error));
      return;
    }

  if (stream->done)
    {
      finish_stream (task);
      return;
    }

  read_next_line (task);
}

static void
read_next_line (GTask *task)
{
  SeroProviderStream *stream = g_task_get_task_data (task);

  g_data_input_stream_read_line_async (stream->lines, G_PRIORITY_DEFAULT,
                                       g_task_get_cancellable (task),
                                       on_line_read, task);
}

/* The most useful words in an error body: both providers nest them as
 * {"error": {"message": …}} (Anthropic adds "type": "error" around it). */
static char *
error_body_message (const char *body,
                    gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (length == 0)
    return NULL;

  if (json_parser_load_from_data (parser, body, length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *error = json_object_get_member (object, "error");

      if (error != NULL && JSON_NODE_HOLDS_OBJECT (error))
        {
          const char *message = json_object_get_string_member_with_default (json_node_get_object (error), "message", NULL);

          if (message != NULL)
            return g_strdup (message);
        }
      else if (error != NULL && JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (error));

      if (json_object_has_member (object, "message"))
        return g_strdup (json_object_get_string_member_with_default (object, "message", NULL));
    }

  if (g_utf8_validate (body, length, NULL))
    {
      g_autofree char *text = g_strndup (body, MIN (length, 300));

      return g_strdup (g_strstrip (text));
    }

  return NULL;
}

static void
on_error_body_read (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  SeroProviderStream *stream = g_task_get_task_data (task);
  const char *provider = stream->model->provider;
  guint status = soup_message_get_status (stream->message);
  g_autoptr(GError) read_error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *suffix = NULL;
  gsize length = 0;
  GError *error;

  g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &length, &read_error);
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fail_attempt (task, g_steal_pointer (&read_error));
      return;
    }

  detail = error_body_message ((const char *) stream->error_body, length);
  suffix = detail != NULL ? g_strdup_printf (": %s", detail) : g_strdup ("");

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    error = g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_AUTH,
                         "Authentication failed for %s (HTTP %u%s). Check its API key in Preferences.",
                         provider, status, suffix);
  else if (status == 429 /* Too Many Requests: not among libsoup 3.2's names */)
    error = g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_RATE_LIMITED,
                         "%s is limiting requests (HTTP 429%s)", provider, suffix);
  else if (status >= 500 || status == SOUP_STATUS_REQUEST_TIMEOUT)
    error = g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_SERVER,
                         "%s had a server error (HTTP %u%s)", provider, status, suffix);
  else
    error = g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_REQUEST,
                         "%s refused the request (HTTP %u%s)", provider, status, suffix);

  fail_attempt (task, error);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  SeroProviderStream *stream = g_task_get_task_data (task);
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;
  guint status;

  body = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_attempt (task, g_steal_pointer (&error));
      else
        fail_attempt (task, g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK,
                                         "Could not reach %s at %s: %s", stream->model->provider,
                                         stream->model->base_url, error->message));
      return;
    }

  status = soup_message_get_status (stream->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      stream->error_body = g_malloc (MAX_ERROR_BODY);
      g_input_stream_read_all_async (body, stream->error_body, MAX_ERROR_BODY,
                                     G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                     on_error_body_read, task);
      /* read_all keeps its own reference on @body. */
      return;
    }

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (stream->message), NULL);
  if (content_type == NULL || g_ascii_strcasecmp (content_type, "text/event-stream") != 0)
    {
      fail_attempt (task, g_error_new (SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                                       "%s answered with %s instead of an event stream; "
                                       "check that its base URL (%s) points at the API",
                                       stream->model->provider,
                                       content_type != NULL ? content_type : "no content type",
                                       stream->model->base_url));
      return;
    }

  stream->lines = g_data_input_stream_new (body);
  g_data_input_stream_set_newline_type (stream->lines, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  read_next_line (task);
}

static void
start_attempt (GTask *task)
{
  SeroProviderStream *stream = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SeroProviderRequest request = {
    .system_prompt = stream->system_prompt,
    .messages = stream->messages,
    .tools = stream->tools,
    .thinking_level = stream->thinking_level,
    .session_id = stream->session_id,
  };

  stream->message = stream->protocol->build_message (stream->model, &request, &error);
  if (stream->message == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  soup_session_send_async (stream->session, stream->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), on_sent, task);
}

/**
 * sero_provider_stream_async:
 * @model: the model, with its key (from sero_model_registry_resolve())
 * @request: what to send; copied, so it need not outlive this call
 * @on_event: (nullable): called for each delta and retry, on the caller's
 *   thread-default main context
 * @cancellable: (nullable): stops the exchange; the result is then
 *   %G_IO_ERROR_CANCELLED
 *
 * Streams one assistant answer. The result (sero_provider_stream_finish())
 * is the pi assistant message: role, content (text, thinking, toolCall with
 * parsed arguments), api, provider, model, usage with cost, stopReason and
 * timestamp. Errors are %SERO_PROVIDER_ERROR with a message naming the
 * provider and what went wrong.
 */
void
sero_provider_stream_async (const SeroModel            *model,
                            const SeroProviderRequest  *request,
                            SeroStreamFunc              on_event,
                            gpointer                    event_data,
                            GCancellable               *cancellable,
                            GAsyncReadyCallback         callback,
                            gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  SeroProviderStream *stream;
  const SeroProviderProtocol *protocol = NULL;
  g_autofree char *user_agent = NULL;

  g_return_if_fail (model != NULL);
  g_return_if_fail (request != NULL);
  g_return_if_fail (request->messages != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sero_provider_stream_async);

  if (g_strcmp0 (model->api, _sero_provider_anthropic.api) == 0)
    protocol = &_sero_provider_anthropic;
  else if (g_strcmp0 (model->api, _sero_provider_openai.api) == 0)
    protocol = &_sero_provider_openai;
  else
    {
      g_task_return_new_error (task, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_UNSUPPORTED_API,
                               "%s/%s uses the “%s” API, which Sero does not speak yet; "
                               "use anthropic-messages or openai-completions in models.json",
                               model->provider, model->id, model->api);
      return;
    }

  stream = g_new0 (SeroProviderStream, 1);
  stream->model = sero_model_copy (model);
  stream->protocol = protocol;
  stream->on_event = on_event;
  stream->event_data = event_data;
  stream->messages = json_array_ref (request->messages);
  stream->tools = request->tools != NULL ? json_array_ref (request->tools) : NULL;
  stream->system_prompt = g_strdup (request->system_prompt);
  stream->thinking_level = g_strdup (request->thinking_level);
  stream->session_id = g_strdup (request->session_id);
  stream->sse_event = g_string_new (NULL);
  stream->sse_data = g_string_new (NULL);
  stream->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  stream->attempt = 1;
  stream->state = protocol->state_new ();

  /* One session per answer: a SoupSession belongs to the main context it
   * was made on, and answers are streamed from whichever context the
   * caller runs (the app's, the CLI's, a test's). The cost is a new
   * connection per answer, small next to a model's latency. */
  user_agent = g_strdup_printf ("sero/%s", PACKAGE_VERSION);
  stream->session = soup_session_new_with_options ("user-agent", user_agent,
                                                   "timeout", IO_TIMEOUT_SECONDS,
                                                   NULL);

  g_task_set_task_data (task, stream, (GDestroyNotify) stream_free);

  start_attempt (g_steal_pointer (&task));
}

/**
 * sero_provider_stream_finish:
 *
 * Returns: (transfer full): the pi assistant message, or %NULL with @error
 */
JsonObject *
sero_provider_stream_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sero_provider_stream_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
