/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-provider"

#include "config.h"

#include <string.h>

#include "sero-provider-private.h"

/* openai-completions: POST {base}/chat/completions with stream: true and
 * stream_options.include_usage, as OpenAI documents it and as OpenRouter,
 * Groq, xAI, Ollama, llama.cpp's server, vLLM and LM Studio copy it. Each
 * SSE "data:" is a chat.completion.chunk: choices[0].delta carries content,
 * reasoning (reasoning_content from DeepSeek/vLLM/llama.cpp, reasoning from
 * OpenRouter/Ollama/Groq) and tool_calls[] by index; finish_reason ends the
 * choice; a last chunk with empty choices carries usage; "data: [DONE]"
 * ends the stream. */

typedef struct
{
  GHashTable *tools;     /* the wire's tool-call index → our content index */
  GHashTable *tool_ids;  /* the wire's tool-call index → the call's id */
  int         text;   /* the open text block, or -1 */
  int         thinking;
} OpenAIState;

static gpointer
openai_state_new (void)
{
  OpenAIState *state = g_new0 (OpenAIState, 1);

  state->tools = g_hash_table_new (NULL, NULL);
  state->tool_ids = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  state->text = -1;
  state->thinking = -1;
  return state;
}

static void
openai_state_free (gpointer data)
{
  OpenAIState *state = data;

  g_hash_table_unref (state->tools);
  g_hash_table_unref (state->tool_ids);
  g_free (state);
}

static JsonObject *
text_part (const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "type", "text");
  json_object_set_string_member (part, "text", text);
  return part;
}

static JsonObject *
image_part (JsonObject *image)
{
  JsonObject *part = json_object_new ();
  JsonObject *url = json_object_new ();
  g_autofree char *data_url = NULL;

  data_url = g_strdup_printf ("data:%s;base64,%s",
                              json_object_get_string_member_with_default (image, "mimeType", "image/png"),
                              json_object_get_string_member_with_default (image, "data", ""));
  json_object_set_string_member (url, "url", data_url);
  json_object_set_string_member (part, "type", "image_url");
  json_object_set_object_member (part, "image_url", url);
  return part;
}

/* The images among @message's blocks, as parts; NULL when there are none. */
static JsonArray *
image_parts (JsonArray *blocks)
{
  JsonArray *parts = NULL;

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonNode *node = json_array_get_element (blocks, i);
      JsonObject *block;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (block, "type", ""), "image") != 0)
        continue;
      if (parts == NULL)
        parts = json_array_new ();
      json_array_add_object_element (parts, image_part (block));
    }

  return parts;
}

/* Plain text goes as a string, which every compatible server accepts;
 * only messages with images need the array of parts. */
static void
add_user_message (JsonArray  *out,
                  JsonObject *message)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  g_autofree char *text = _sero_provider_tool_result_text (message);
  JsonArray *images = image_parts (blocks);
  JsonObject *wire;

  if (*text == '\0' && images == NULL)
    return;

  wire = json_object_new ();
  json_object_set_string_member (wire, "role", "user");
  if (images == NULL)
    json_object_set_string_member (wire, "content", text);
  else
    {
      JsonArray *parts = json_array_new ();

      if (*text != '\0')
        json_array_add_object_element (parts, text_part (text));
      for (guint i = 0; i < json_array_get_length (images); i++)
        json_array_add_element (parts, json_node_copy (json_array_get_element (images, i)));
      json_array_unref (images);
      json_object_set_array_member (wire, "content", parts);
    }
  json_array_add_object_element (out, wire);
}

static void
add_assistant_message (JsonArray  *out,
                       JsonObject *message)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  g_autoptr(GString) text = g_string_new (NULL);
  JsonArray *calls = json_array_new ();
  JsonObject *wire;

  for (guint i = 0; i < json_array_get_length (blocks); i++)
    {
      JsonNode *node = json_array_get_element (blocks, i);
      JsonObject *block;
      const char *type;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      block = json_node_get_object (node);
      type = json_object_get_string_member_with_default (block, "type", "");

      /* Thinking is not sent back: Chat Completions has no field for it
       * that every server accepts. */
      if (g_str_equal (type, "text"))
        g_string_append (text, json_object_get_string_member_with_default (block, "text", ""));
      else if (g_str_equal (type, "toolCall"))
        {
          JsonObject *call = json_object_new ();
          JsonObject *function = json_object_new ();
          JsonNode *arguments = json_object_get_member (block, "arguments");
          g_autofree char *arguments_json = NULL;

          if (arguments != NULL && JSON_NODE_HOLDS_OBJECT (arguments))
            arguments_json = json_to_string (arguments, FALSE);
          json_object_set_string_member (function, "name", json_object_get_string_member_with_default (block, "name", ""));
          json_object_set_string_member (function, "arguments", arguments_json ? arguments_json : "{}");
          json_object_set_string_member (call, "id", json_object_get_string_member_with_default (block, "id", ""));
          json_object_set_string_member (call, "type", "function");
          json_object_set_object_member (call, "function", function);
          json_array_add_object_element (calls, call);
        }
    }

  if (text->len == 0 && json_array_get_length (calls) == 0)
    {
      json_array_unref (calls);
      return;
    }

  wire = json_object_new ();
  json_object_set_string_member (wire, "role", "assistant");
  if (text->len > 0)
    json_object_set_string_member (wire, "content", text->str);
  else
    json_object_set_null_member (wire, "content");
  if (json_array_get_length (calls) > 0)
    json_object_set_array_member (wire, "tool_calls", calls);
  else
    json_array_unref (calls);
  json_array_add_object_element (out, wire);
}

/* A tool message holds text only; its images follow in a user message,
 * as pi does it. */
static void
add_tool_result (JsonArray  *out,
                 JsonObject *message,
                 JsonArray  *pending_images)
{
  g_autoptr(JsonArray) blocks = _sero_provider_content_blocks (message);
  g_autofree char *text = _sero_provider_tool_result_text (message);
  g_autoptr(JsonArray) images = image_parts (blocks);
  JsonObject *wire = json_object_new ();

  json_object_set_string_member (wire, "role", "tool");
  json_object_set_string_member (wire, "tool_call_id", json_object_get_string_member_with_default (message, "toolCallId", ""));
  json_object_set_string_member (wire, "content", *text != '\0' ? text : (images ? "(see the attached image)" : "(no output)"));
  json_array_add_object_element (out, wire);

  for (guint i = 0; images != NULL && i < json_array_get_length (images); i++)
    json_array_add_element (pending_images, json_node_copy (json_array_get_element (images, i)));
}

static void
flush_images (JsonArray *out,
              JsonArray *pending_images)
{
  JsonObject *wire;
  JsonArray *parts;

  if (json_array_get_length (pending_images) == 0)
    return;

  parts = json_array_new ();
  json_array_add_object_element (parts, text_part ("Attached image(s) from tool result:"));
  while (json_array_get_length (pending_images) > 0)
    {
      json_array_add_element (parts, json_node_copy (json_array_get_element (pending_images, 0)));
      json_array_remove_element (pending_images, 0);
    }
  wire = json_object_new ();
  json_object_set_string_member (wire, "role", "user");
  json_object_set_array_member (wire, "content", parts);
  json_array_add_object_element (out, wire);
}

static JsonArray *
convert_messages (const SeroProviderRequest *request)
{
  JsonArray *out = json_array_new ();
  g_autoptr(JsonArray) pending_images = json_array_new ();

  if (request->system_prompt != NULL && *request->system_prompt != '\0')
    {
      JsonObject *system = json_object_new ();

      json_object_set_string_member (system, "role", "system");
      json_object_set_string_member (system, "content", request->system_prompt);
      json_array_add_object_element (out, system);
    }

  for (guint i = 0; i < json_array_get_length (request->messages); i++)
    {
      JsonNode *node = json_array_get_element (request->messages, i);
      JsonObject *message;
      const char *role;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      message = json_node_get_object (node);
      role = json_object_get_string_member_with_default (message, "role", "");

      if (g_str_equal (role, "toolResult"))
        {
          add_tool_result (out, message, pending_images);
          continue;
        }

      /* Tool messages must follow their calls directly: images wait until
       * the run of tool results is over. */
      flush_images (out, pending_images);

      if (g_str_equal (role, "user"))
        add_user_message (out, message);
      else if (g_str_equal (role, "assistant"))
        add_assistant_message (out, message);
    }
  flush_images (out, pending_images);

  return out;
}

static SoupMessage *
openai_build_message (const SeroModel           *model,
                      const SeroProviderRequest *request,
                      GError                   **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *url = _sero_provider_join_url (model->base_url, "/chat/completions");
  g_autoptr(GBytes) request_body = NULL;
  JsonObject *stream_options = json_object_new ();
  SoupMessage *message;
  char *text;

  json_object_set_string_member (body, "model", model->id);
  json_object_set_array_member (body, "messages", convert_messages (request));
  json_object_set_boolean_member (body, "stream", TRUE);
  json_object_set_boolean_member (stream_options, "include_usage", TRUE);
  json_object_set_object_member (body, "stream_options", stream_options);

  if (request->tools != NULL && json_array_get_length (request->tools) > 0)
    {
      JsonArray *tools = json_array_new ();

      for (guint i = 0; i < json_array_get_length (request->tools); i++)
        {
          JsonObject *tool = json_array_get_object_element (request->tools, i);
          JsonObject *wire = json_object_new ();
          JsonObject *function = json_object_new ();
          JsonNode *schema = json_object_get_member (tool, "parameters");

          json_object_set_string_member (function, "name", json_object_get_string_member_with_default (tool, "name", ""));
          json_object_set_string_member (function, "description",
                                         json_object_get_string_member_with_default (tool, "description", ""));
          if (schema != NULL && JSON_NODE_HOLDS_OBJECT (schema))
            json_object_set_member (function, "parameters", json_node_copy (schema));
          json_object_set_string_member (wire, "type", "function");
          json_object_set_object_member (wire, "function", function);
          json_array_add_object_element (tools, wire);
        }
      json_object_set_array_member (body, "tools", tools);
    }

  /* Reasoning effort is not part of the shared dialect: OpenAI and Groq
   * take reasoning_effort, OpenRouter a reasoning object, and others
   * (xAI's grok-4, most local servers) refuse unknown fields or ignore
   * them. So it is only sent where it is known to be understood. */
  if (model->reasoning && request->thinking_level != NULL && !g_str_equal (request->thinking_level, "off"))
    {
      const char *effort = g_str_equal (request->thinking_level, "minimal") ? "low" : request->thinking_level;

      if (g_str_equal (model->provider, "openai") || g_str_equal (model->provider, "groq"))
        json_object_set_string_member (body, "reasoning_effort", effort);
      else if (g_str_equal (model->provider, "openrouter"))
        {
          JsonObject *reasoning = json_object_new ();

          json_object_set_string_member (reasoning, "effort", effort);
          json_object_set_object_member (body, "reasoning", reasoning);
        }
    }

  json_node_set_object (root, body);

  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_REQUEST,
                   "The base URL of %s (%s) is not a valid URL", model->provider, model->base_url);
      return NULL;
    }

  text = json_to_string (root, FALSE);
  request_body = g_bytes_new_take (text, strlen (text));
  soup_message_set_request_body_from_bytes (message, "application/json", request_body);

  if (model->api_key != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", model->api_key);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", bearer);
    }
  _sero_provider_apply_headers (message, model);

  return message;
}

/* ------------------------------------------------------------------------ */
/* The answer                                                                */

static const char *
map_finish_reason (const char *reason)
{
  if (g_str_equal (reason, "stop") || g_str_equal (reason, "end_turn") || g_str_equal (reason, "eos"))
    return "stop";
  if (g_str_equal (reason, "length"))
    return "length";
  if (g_str_equal (reason, "tool_calls") || g_str_equal (reason, "function_call"))
    return "toolUse";
  /* content_filter and unknown reasons */
  return "error";
}

static gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  return 0;
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* OpenAI counts cached prompt tokens inside prompt_tokens; pi keeps them
 * apart, so input is what was not read from the cache. */
static void
read_usage (SeroProviderStream *stream,
            JsonObject         *usage)
{
  gint64 prompt = int_member (usage, "prompt_tokens");
  gint64 cached = int_member (object_member (usage, "prompt_tokens_details"), "cached_tokens");

  _sero_provider_stream_set_usage (stream, MAX (0, prompt - cached),
                                   int_member (usage, "completion_tokens"), cached, 0);
}

static gboolean
handle_tool_calls (SeroProviderStream  *stream,
                   JsonArray           *calls,
                   GError             **error)
{
  OpenAIState *state = _sero_provider_stream_get_state (stream);
  const char *provider = _sero_provider_stream_get_model (stream)->provider;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonNode *node = json_array_get_element (calls, i);
      JsonObject *call;
      JsonObject *function;
      const char *id;
      const char *name;
      const char *arguments;
      gpointer value;
      gint64 wire_index;
      guint index;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                       "%s sent a tool call that is not an object", provider);
          return FALSE;
        }
      call = json_node_get_object (node);
      function = object_member (call, "function");
      id = string_member (call, "id");
      name = string_member (function, "name");
      arguments = string_member (function, "arguments");
      wire_index = json_object_has_member (call, "index") ? int_member (call, "index") : (gint64) i;

      /* A new id on a known index is a new call: some servers number
       * every call 0. */
      if (!g_hash_table_lookup_extended (state->tools, GINT_TO_POINTER ((int) wire_index), NULL, &value) ||
          (id != NULL && *id != '\0' &&
           g_strcmp0 (id, g_hash_table_lookup (state->tool_ids, GINT_TO_POINTER ((int) wire_index))) != 0))
        {
          g_autofree char *made_up = NULL;

          if (name == NULL || *name == '\0')
            {
              g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                           "%s started a tool call without a function name", provider);
              return FALSE;
            }
          /* Some local servers send no id; the result must still pair up. */
          if (id == NULL || *id == '\0')
            id = made_up = g_strdup_printf ("call_%u", _sero_provider_stream_get_n_blocks (stream));
          index = _sero_provider_stream_open_block (stream, SERO_BLOCK_TOOL_CALL, id, name);
          g_hash_table_insert (state->tools, GINT_TO_POINTER ((int) wire_index), GUINT_TO_POINTER (index));
          g_hash_table_insert (state->tool_ids, GINT_TO_POINTER ((int) wire_index), g_strdup (id));
          state->text = -1;
          state->thinking = -1;
        }
      else
        index = GPOINTER_TO_UINT (value);

      if (arguments != NULL)
        _sero_provider_stream_append (stream, index, arguments);
    }

  return TRUE;
}

static gboolean
openai_handle_event (SeroProviderStream  *stream,
                     const char          *event,
                     const char          *data,
                     GError             **error)
{
  OpenAIState *state = _sero_provider_stream_get_state (stream);
  const char *provider = _sero_provider_stream_get_model (stream)->provider;
  g_autoptr(JsonObject) chunk = NULL;
  JsonObject *err;
  JsonNode *choices;
  JsonObject *usage;

  if (g_str_equal (g_strstrip ((char *) data), "[DONE]"))
    {
      _sero_provider_stream_set_done (stream);
      return TRUE;
    }

  chunk = _sero_provider_parse_object (data, provider, error);
  if (chunk == NULL)
    return FALSE;

  /* Errors mid-stream come as {"error": {message, type, code}}. */
  if ((err = object_member (chunk, "error")) != NULL)
    {
      const char *message = string_member (err, "message");
      const char *type = string_member (err, "type");
      const char *code = string_member (err, "code");
      gint64 status = int_member (err, "code");
      int kind = SERO_PROVIDER_ERROR_SERVER;

      if (status == 429 || g_strcmp0 (code, "rate_limit_exceeded") == 0 || g_strcmp0 (type, "rate_limit_error") == 0)
        kind = SERO_PROVIDER_ERROR_RATE_LIMITED;
      else if (status == 401 || status == 403 || g_strcmp0 (code, "invalid_api_key") == 0)
        kind = SERO_PROVIDER_ERROR_AUTH;
      else if (g_strcmp0 (type, "invalid_request_error") == 0 || (status >= 400 && status < 500))
        kind = SERO_PROVIDER_ERROR_REQUEST;

      if (kind == SERO_PROVIDER_ERROR_AUTH)
        g_set_error (error, SERO_PROVIDER_ERROR, kind, "Authentication failed for %s (%s)",
                     provider, message ? message : "no message");
      else
        g_set_error (error, SERO_PROVIDER_ERROR, kind, "%s reported an error in the stream (%s%s%s)",
                     provider, type ? type : "", type ? ": " : "", message ? message : "no message");
      return FALSE;
    }

  choices = json_object_get_member (chunk, "choices");
  if (choices != NULL && !JSON_NODE_HOLDS_ARRAY (choices) && !JSON_NODE_HOLDS_NULL (choices))
    {
      g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                   "%s sent a chunk whose choices are not a list", provider);
      return FALSE;
    }

  if (choices != NULL && JSON_NODE_HOLDS_ARRAY (choices) && json_array_get_length (json_node_get_array (choices)) > 0)
    {
      JsonNode *choice_node = json_array_get_element (json_node_get_array (choices), 0);
      JsonObject *choice;
      JsonObject *delta;
      const char *content;
      const char *reasoning;
      const char *finish;
      JsonNode *calls;

      if (!JSON_NODE_HOLDS_OBJECT (choice_node))
        {
          g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                       "%s sent a choice that is not an object", provider);
          return FALSE;
        }
      choice = json_node_get_object (choice_node);
      delta = object_member (choice, "delta");

      reasoning = string_member (delta, "reasoning_content");
      if (reasoning == NULL)
        reasoning = string_member (delta, "reasoning");
      if (reasoning == NULL)
        reasoning = string_member (delta, "reasoning_text");
      if (reasoning != NULL && *reasoning != '\0')
        {
          if (state->thinking < 0)
            {
              state->thinking = _sero_provider_stream_open_block (stream, SERO_BLOCK_THINKING, NULL, NULL);
              state->text = -1;
            }
          _sero_provider_stream_append (stream, state->thinking, reasoning);
        }

      content = string_member (delta, "content");
      if (content != NULL && *content != '\0')
        {
          if (state->text < 0)
            {
              state->text = _sero_provider_stream_open_block (stream, SERO_BLOCK_TEXT, NULL, NULL);
              state->thinking = -1;
            }
          _sero_provider_stream_append (stream, state->text, content);
        }

      calls = delta ? json_object_get_member (delta, "tool_calls") : NULL;
      if (calls != NULL && JSON_NODE_HOLDS_ARRAY (calls) &&
          !handle_tool_calls (stream, json_node_get_array (calls), error))
        return FALSE;
      else if (calls != NULL && !JSON_NODE_HOLDS_ARRAY (calls) && !JSON_NODE_HOLDS_NULL (calls))
        {
          g_set_error (error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL,
                       "%s sent tool_calls that are not a list", provider);
          return FALSE;
        }

      finish = string_member (choice, "finish_reason");
      if (finish != NULL)
        {
          _sero_provider_stream_set_stop_reason (stream, map_finish_reason (finish));
          _sero_provider_stream_close_all (stream);
        }
    }

  usage = object_member (chunk, "usage");
  if (usage == NULL)
    usage = object_member (object_member (chunk, "x_groq"), "usage");
  if (usage != NULL)
    read_usage (stream, usage);

  return TRUE;
}

const SeroProviderProtocol _sero_provider_openai = {
  .api = "openai-completions",
  .build_message = openai_build_message,
  .state_new = openai_state_new,
  .state_free = openai_state_free,
  .handle_event = openai_handle_event,
};
