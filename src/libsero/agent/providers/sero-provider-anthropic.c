/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-provider"

#include "config.h"

#include <string.h>

#include "sero-provider-private.h"

/* anthropic-messages: POST {base}/v1/messages with stream: true, as
 * documented at https://docs.anthropic.com/en/api/messages-streaming:
 * message_start, then per content block content_block_start, its deltas
 * (text_delta, thinking_delta, signature_delta, input_json_delta) and
 * content_block_stop, then message_delta (stop_reason, output usage) and
 * message_stop; ping any time; error for failures mid-stream. */

#define ANTHROPIC_VERSION "2023-06-01"

typedef struct
{
  GHashTable *blocks;  /* the wire's block index → our content index */
} AnthropicState;

static gpointer
anthropic_state_new (void)
{
  AnthropicState *state = g_new0 (AnthropicState, 1);

  state->blocks = g_hash_table_new (NULL, NULL);
  return state;
}

static void
anthropic_state_free (gpointer data)
{
  AnthropicState *state = data;

  g_hash_table_unref (state->blocks);
  g_free (state);
}

/* Anthropic accepts tool-use ids of [a-zA-Z0-9_-]{1,64}; ids from other
 * providers (a session may switch models) are mapped the same way on both
 * the call and its result, so they still pair up. */
static char *
normalize_tool_id (const char *id)
{
  GString *out = g_string_new (NULL);

  for (const char *p = id; *p && out->len < 64; p++)
    g_string_append_c (out, (g_ascii_isalnum (*p) || *p == '_' || *p == '-') ? *p : '_');
  if (out->len == 0)
    g_string_append (out, "tool");
  return g_string_free (out, FALSE);
}

static JsonObject *
text_block (const char *text)
{
  JsonObject *block = json_object_new ();

  json_object_set_string_member (block, "type", "text");
  json_object_set_string_member (block, "text", text);
  return block;
}

static JsonObject *
image_block (JsonObject *image)
{
  JsonObject *block = json_object_new ();
  JsonObject *source = json_object_new ();

  json_object_set_string_member (source, "type", "base64");
  json_object_set_string_member (source, "media_type",
                                 json_object_get_string_member_with_default (image, "mimeType", "image/png"));
  json_object_set_string_member (source, "data",
                                 json_object_get_string_member_with_default (image, "data", ""));
  json_object_set_string_member (block, "type", "image");
  json_object_set_object_member (block, "source", source);
  return block;
}

/* Text and images; Anthropic refuses empty text blocks. */
static JsonArray *
convert_user_content (JsonObject *message)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  JsonArray *out = json_array_new ();

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonNode *node = json_array_get_element (blocks, i);
      JsonObject *block;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      type = json_object_get_string_member_with_default (block, "type", "");

      if (g_str_equal (type, "text"))
        {
          const char *text = json_object_get_string_member_with_default (block, "text", "");

          if (*text != '\0')
            json_array_add_object_element (out, text_block (text));
        }
      else if (g_str_equal (type, "image"))
        json_array_add_object_element (out, image_block (block));
    }

  return out;
}

static JsonArray *
convert_assistant_content (JsonObject *message)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  JsonArray *out = json_array_new ();
  /* A thinking signature is only valid for the API that made it. */
  gboolean ours = g_strcmp0 (json_object_get_string_member_with_default (message, "api", ""),
                             "anthropic-messages") == 0;

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonNode *node = json_array_get_element (blocks, i);
      JsonObject *block;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      type = json_object_get_string_member_with_default (block, "type", "");

      if (g_str_equal (type, "text"))
        {
          const char *text = json_object_get_string_member_with_default (block, "text", "");

          if (*text != '\0')
            json_array_add_object_element (out, text_block (text));
        }
      else if (g_str_equal (type, "thinking"))
        {
          const char *thinking = json_object_get_string_member_with_default (block, "thinking", "");
          const char *signature = json_object_get_string_member_with_default (block, "thinkingSignature", "");
          gboolean redacted = json_object_get_boolean_member_with_default (block, "redacted", FALSE);
          JsonObject *out_block;

          if (ours && redacted && *signature != '\0')
            {
              out_block = json_object_new ();
              json_object_set_string_member (out_block, "type", "redacted_thinking");
              json_object_set_string_member (out_block, "data", signature);
              json_array_add_object_element (out, out_block);
            }
          else if (ours && *signature != '\0')
            {
              out_block = json_object_new ();
              json_object_set_string_member (out_block, "type", "thinking");
              json_object_set_string_member (out_block, "thinking", thinking);
              json_object_set_string_member (out_block, "signature", signature);
              json_array_add_object_element (out, out_block);
            }
          else if (*thinking != '\0')
            {
              /* Unsigned thinking (another provider's) is kept as text, as pi does. */
              json_array_add_object_element (out, text_block (thinking));
            }
        }
      else if (g_str_equal (type, "toolCall"))
        {
          JsonObject *out_block = json_object_new ();
          g_autofree char *id = normalize_tool_id (json_object_get_string_member_with_default (block, "id", ""));
          JsonNode *arguments = json_object_get_member (block, "arguments");

          json_object_set_string_member (out_block, "type", "tool_use");
          json_object_set_string_member (out_block, "id", id);
          json_object_set_string_member (out_block, "name",
                                         json_object_get_string_member_with_default (block, "name", ""));
          if (arguments != NULL && JSON_NODE_HOLDS_OBJECT (arguments))
            json_object_set_member (out_block, "input", json_node_copy (arguments));
          else
            json_object_set_object_member (out_block, "input", json_object_new ());
          json_array_add_object_element (out, out_block);
        }
    }

  return out;
}

static JsonObject *
convert_tool_result (JsonObject *message)
{
  g_autoptr(JsonArray) content = convert_user_content (message);
  g_autofree char *id = normalize_tool_id (json_object_get_string_member_with_default (message, "toolCallId", ""));
  JsonObject *block = json_object_new ();

  json_object_set_string_member (block, "type", "tool_result");
  json_object_set_string_member (block, "tool_use_id", id);
  if (json_array_get_length (content) == 0)
    json_array_add_object_element (content, text_block ("(no output)"));
  json_object_set_array_member (block, "content", json_array_ref (content));
  if (json_object_get_boolean_member_with_default (message, "isError", FALSE))
    json_object_set_boolean_member (block, "is_error", TRUE);
  return block;
}

static JsonArray *
convert_messages (JsonArray *messages)
{
  JsonArray *out = json_array_new ();
  JsonArray *pending_results = NULL;  /* owned by out once added */

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message;
      const char *role;
      JsonObject *wire;
      JsonArray *content;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      message = json_node_get_object (node);
      role = json_object_get_string_member_with_default (message, "role", "");

      /* Consecutive tool results travel in one user message. */
      if (g_str_equal (role, "toolResult"))
        {
          if (pending_results == NULL)
            {
              wire = json_object_new ();
              pending_results = json_array_new ();
              json_object_set_string_member (wire, "role", "user");
              json_object_set_array_member (wire, "content", pending_results);
              json_array_add_object_element (out, wire);
            }
          json_array_add_object_element (pending_results, convert_tool_result (message));
          continue;
        }
      pending_results = NULL;

      if (g_str_equal (role, "user"))
        content = convert_user_content (message);
      else if (g_str_equal (role, "assistant"))
        content = convert_assistant_content (message);
      else
        continue;

      if (json_array_get_length (content) == 0)
        {
          json_array_unref (content);
          continue;
        }

      wire = json_object_new ();
      json_object_set_string_member (wire, "role", g_str_equal (role, "user") ? "user" : "assistant");
      json_object_set_array_member (wire, "content", content);
      json_array_add_object_element (out, wire);
    }

  return out;
}

static JsonObject *
ephemeral (void)
{
  JsonObject *cache = json_object_new ();

  json_object_set_string_member (cache, "type", "ephemeral");
  return cache;
}

static guint
thinking_budget (const char *level)
{
  if (level == NULL || g_str_equal (level, "off"))
    return 0;
  if (g_str_equal (level, "minimal"))
    return 1024;
  if (g_str_equal (level, "low"))
    return 2048;
  if (g_str_equal (level, "high"))
    return 16384;
  return 8192;
}

static SoupMessage *
anthropic_build_message (const SeroModel           *model,
                         const SeroProviderRequest *request,
                         GError                   **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *url = _sero_provider_join_url (model->base_url, "/v1/messages");
  JsonArray *messages = convert_messages (request->messages);
  guint budget = model->reasoning ? thinking_budget (request->thinking_level) : 0;
  guint max_tokens = model->max_tokens > 0 ? model->max_tokens : 4096;
  SoupMessage *message;
  guint n_messages;

  json_object_set_string_member (body, "model", model->id);
  json_object_set_boolean_member (body, "stream", TRUE);

  /* Prompt caching: the system prompt and the newest message are marked,
   * so each turn reads the previous turn's prefix from the cache. */
  if (request->system_prompt != NULL && *request->system_prompt != '\0')
    {
      JsonArray *system = json_array_new ();
      JsonObject *block = text_block (request->system_prompt);

      json_object_set_object_member (block, "cache_control", ephemeral ());
      json_array_add_object_element (system, block);
      json_object_set_array_member (body, "system", system);
    }

  n_messages = json_array_get_length (messages);
  if (n_messages > 0)
    {
      JsonObject *last = json_array_get_object_element (messages, n_messages - 1);
      JsonArray *content = json_object_get_array_member (last, "content");
      guint n_blocks = json_array_get_length (content);

      if (g_str_equal (json_object_get_string_member (last, "role"), "user") && n_blocks > 0)
        json_object_set_object_member (json_array_get_object_element (content, n_blocks - 1),
                                       "cache_control", ephemeral ());
    }
  json_object_set_array_member (body, "messages", messages);

  if (request->tools != NULL && json_array_get_length (request->tools) > 0)
    {
      JsonArray *tools = json_array_new ();

      for (guint i = 0; i < json_array_get_length (request->tools); i++)
        {
          JsonObject *tool = json_array_get_object_element (request->tools, i);
          JsonObject *wire = json_object_new ();
          JsonNode *schema = json_object_get_member (tool, "parameters");

          json_object_set_string_member (wire, "name", json_object_get_string_member_with_default (tool, "name", ""));
          json_object_set_string_member (wire, "description",
                                         json_object_get_string_member_with_default (tool, "description", ""));
          if (schema != NULL && JSON_NODE_HOLDS_OBJECT (schema))
            json_object_set_member (wire, "input_schema", json_node_copy (schema));
          else
            {
              JsonObject *empty = json_object_new ();

              json_object_set_string_member (empty, "type", "object");
              json_object_set_object_member (empty, "properties", json_object_new ());
              json_object_set_object_member (wire, "input_schema", empty);
            }
          json_array_add_object_element (tools, wire);
        }
      json_object_set_array_member (body, "tools", tools);
    }

  if (budget > 0)
    {
      JsonObject *thinking = json_object_new ();

      /* budget_tokens must stay below max_tokens. */
      if (budget >= max_tokens)
        budget = MAX (1024, max_tokens / 2);
      json_object_set_string_member (thinking, "type", "enabled");
      json_object_set_int_member (thinking, "budget_tokens", budget);
      json_object_set_object_member (body, "thinking", thinking);
    }
  json_object_set_int_member (body, "max_tokens", max_tokens);

  json_node_set_object (root, body);
  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_REQUEST,
                   "The base URL of %s (%s) is not a valid URL", model->provider, model->base_url);
      return NULL;
    }

  {
    char *text = json_to_string (root, FALSE);
    g_autoptr(GBytes) request_body = g_bytes_new_take (text, strlen (text));

    soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  }

  soup_message_headers_replace (soup_message_get_request_headers (message), "anthropic-version", ANTHROPIC_VERSION);
  if (model->api_key != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "x-api-key", model->api_key);
  _sero_provider_apply_headers (message, model);

  return message;
}

/* ------------------------------------------------------------------------ */
/* The answer                                                                */

static const char *
map_stop_reason (const char *reason)
{
  if (g_str_equal (reason, "end_turn") || g_str_equal (reason, "stop_sequence") ||
      g_str_equal (reason, "pause_turn"))
    return "stop";
  if (g_str_equal (reason, "max_tokens") || g_str_equal (reason, "model_context_window_exceeded"))
    return "length";
  if (g_str_equal (reason, "tool_use"))
    return "toolUse";
  /* "refusal", and anything new: pi treats these as an error. */
  return "error";
}

static void
read_usage (SeroProviderStream *stream,
            JsonObject         *usage)
{
  gint64 values[4] = { -1, -1, -1, -1 };
  static const char * const names[4] = {
    "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
  };

  if (usage == NULL)
    return;

  for (guint i = 0; i < 4; i++)
    {
      JsonNode *node = json_object_get_member (usage, names[i]);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
        values[i] = json_node_get_int (node);
    }

  _sero_provider_stream_set_usage (stream, values[0], values[1], values[2], values[3]);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
malformed (GError             **error,
           SeroProviderStream  *stream,
           const char          *event,
           const char          *what)
{
  g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
               "%s sent a malformed %s event (%s)",
               _sero_provider_stream_get_model (stream)->provider, event, what);
  return FALSE;
}

static gboolean
find_block (SeroProviderStream *stream,
            JsonObject         *data,
            const char         *event,
            guint              *index,
            GError            **error)
{
  AnthropicState *state = _sero_provider_stream_get_state (stream);
  gpointer value;

  if (!json_object_has_member (data, "index"))
    return malformed (error, stream, event, "no index");
  if (!g_hash_table_lookup_extended (state->blocks,
                                     GINT_TO_POINTER ((int) json_object_get_int_member (data, "index")),
                                     NULL, &value))
    return malformed (error, stream, event, "a block that was never started");
  *index = GPOINTER_TO_UINT (value);
  return TRUE;
}

static gboolean
anthropic_handle_event (SeroProviderStream  *stream,
                        const char          *event,
                        const char          *data,
                        GError             **error)
{
  AnthropicState *state = _sero_provider_stream_get_state (stream);
  const char *provider = _sero_provider_stream_get_model (stream)->provider;
  g_autoptr(JsonObject) object = NULL;
  const char *type;

  if (g_str_equal (event, "ping"))
    return TRUE;

  object = _sero_provider_parse_object (data, provider, error);
  if (object == NULL)
    return FALSE;

  /* The data's "type" repeats the event name; trust the data when the
   * server sent no event line. */
  type = json_object_get_string_member_with_default (object, "type", event);

  if (g_str_equal (type, "message_start"))
    {
      JsonObject *message = object_member (object, "message");

      if (message == NULL)
        return malformed (error, stream, type, "no message");
      read_usage (stream, object_member (message, "usage"));
    }
  else if (g_str_equal (type, "content_block_start"))
    {
      JsonObject *block = object_member (object, "content_block");
      const char *block_type;
      guint index;

      if (block == NULL || !json_object_has_member (object, "index"))
        return malformed (error, stream, type, "no content_block or index");
      block_type = json_object_get_string_member_with_default (block, "type", "");

      if (g_str_equal (block_type, "text"))
        {
          index = _sero_provider_stream_open_block (stream, SERO_BLOCK_TEXT, NULL, NULL);
          _sero_provider_stream_append (stream, index, json_object_get_string_member_with_default (block, "text", ""));
        }
      else if (g_str_equal (block_type, "thinking"))
        {
          index = _sero_provider_stream_open_block (stream, SERO_BLOCK_THINKING, NULL, NULL);
          _sero_provider_stream_append (stream, index, json_object_get_string_member_with_default (block, "thinking", ""));
          _sero_provider_stream_append_signature (stream, index,
                                                  json_object_get_string_member_with_default (block, "signature", ""));
        }
      else if (g_str_equal (block_type, "redacted_thinking"))
        {
          index = _sero_provider_stream_open_block (stream, SERO_BLOCK_THINKING, NULL, NULL);
          _sero_provider_stream_set_redacted (stream, index);
          _sero_provider_stream_append_signature (stream, index,
                                                  json_object_get_string_member_with_default (block, "data", ""));
        }
      else if (g_str_equal (block_type, "tool_use"))
        {
          const char *id = json_object_get_string_member_with_default (block, "id", NULL);
          const char *name = json_object_get_string_member_with_default (block, "name", NULL);

          if (id == NULL || name == NULL)
            return malformed (error, stream, type, "a tool_use block without id or name");
          index = _sero_provider_stream_open_block (stream, SERO_BLOCK_TOOL_CALL, id, name);
        }
      else
        {
          /* Server tools and future block types carry nothing we show. */
          return TRUE;
        }

      g_hash_table_insert (state->blocks,
                           GINT_TO_POINTER ((int) json_object_get_int_member (object, "index")),
                           GUINT_TO_POINTER (index));
    }
  else if (g_str_equal (type, "content_block_delta"))
    {
      JsonObject *delta = object_member (object, "delta");
      const char *delta_type;
      SeroBlockKind kind;
      guint index;

      if (delta == NULL)
        return malformed (error, stream, type, "no delta");
      if (!find_block (stream, object, type, &index, error))
        return FALSE;
      delta_type = json_object_get_string_member_with_default (delta, "type", "");
      _sero_provider_stream_get_block_kind (stream, index, &kind);

      if (g_str_equal (delta_type, "text_delta") && kind == SERO_BLOCK_TEXT)
        _sero_provider_stream_append (stream, index, json_object_get_string_member_with_default (delta, "text", ""));
      else if (g_str_equal (delta_type, "thinking_delta") && kind == SERO_BLOCK_THINKING)
        _sero_provider_stream_append (stream, index, json_object_get_string_member_with_default (delta, "thinking", ""));
      else if (g_str_equal (delta_type, "signature_delta") && kind == SERO_BLOCK_THINKING)
        _sero_provider_stream_append_signature (stream, index,
                                                json_object_get_string_member_with_default (delta, "signature", ""));
      else if (g_str_equal (delta_type, "input_json_delta") && kind == SERO_BLOCK_TOOL_CALL)
        _sero_provider_stream_append (stream, index,
                                      json_object_get_string_member_with_default (delta, "partial_json", ""));
      else if (g_str_equal (delta_type, "text_delta") || g_str_equal (delta_type, "thinking_delta") ||
               g_str_equal (delta_type, "input_json_delta") || g_str_equal (delta_type, "signature_delta"))
        return malformed (error, stream, type, "a delta that does not fit its block");
      /* citations_delta and future kinds are ignored. */
    }
  else if (g_str_equal (type, "content_block_stop"))
    {
      guint index;

      /* A stop for a block we skipped (a server tool) is fine. */
      if (json_object_has_member (object, "index") &&
          g_hash_table_contains (state->blocks, GINT_TO_POINTER ((int) json_object_get_int_member (object, "index"))))
        {
          if (!find_block (stream, object, type, &index, error))
            return FALSE;
          _sero_provider_stream_close_block (stream, index);
        }
    }
  else if (g_str_equal (type, "message_delta"))
    {
      JsonObject *delta = object_member (object, "delta");
      const char *reason = delta ? json_object_get_string_member_with_default (delta, "stop_reason", NULL) : NULL;

      if (reason != NULL)
        _sero_provider_stream_set_stop_reason (stream, map_stop_reason (reason));
      read_usage (stream, object_member (object, "usage"));
    }
  else if (g_str_equal (type, "message_stop"))
    {
      _sero_provider_stream_set_done (stream);
    }
  else if (g_str_equal (type, "error"))
    {
      JsonObject *err = object_member (object, "error");
      const char *err_type = err ? json_object_get_string_member_with_default (err, "type", "error") : "error";
      const char *message = err ? json_object_get_string_member_with_default (err, "message", "") : "";
      int code;

      if (g_str_equal (err_type, "rate_limit_error"))
        code = SERO_PROVIDER_ERROR_RATE_LIMITED;
      else if (g_str_equal (err_type, "authentication_error") || g_str_equal (err_type, "permission_error"))
        code = SERO_PROVIDER_ERROR_AUTH;
      else if (g_str_equal (err_type, "invalid_request_error") || g_str_equal (err_type, "not_found_error") ||
               g_str_equal (err_type, "request_too_large"))
        code = SERO_PROVIDER_ERROR_REQUEST;
      else
        code = SERO_PROVIDER_ERROR_SERVER;  /* overloaded_error, api_error, … */

      if (code == SERO_PROVIDER_ERROR_AUTH)
        g_set_error (error, SERO_PROVIDER_ERROR, code, "Authentication failed for %s (%s: %s)",
                     provider, err_type, message);
      else
        g_set_error (error, SERO_PROVIDER_ERROR, code, "%s reported an error in the stream (%s: %s)",
                     provider, err_type, message);
      return FALSE;
    }
  /* Unknown events are ignored, as the documentation asks of clients. */

  return TRUE;
}

const SeroProviderProtocol _sero_provider_anthropic = {
  .api = "anthropic-messages",
  .build_message = anthropic_build_message,
  .state_new = anthropic_state_new,
  .state_free = anthropic_state_free,
  .handle_event = anthropic_handle_event,
};
