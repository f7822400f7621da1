/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sero-fake-provider.h"
#include "sero-json-file.h"
#include "sero-model-registry.h"
#include "sero-provider.h"

/* Both wire protocols against the scripted provider: what the model was
 * sent, what came back, and every way an answer can go wrong. Each case
 * runs once per protocol (the test data is the api name). */

typedef struct
{
  GMainLoop    *loop;
  JsonObject   *message;
  GError       *error;
  GString      *text;
  GString      *thinking;
  GString      *tool_args;
  GPtrArray    *tool_starts;  /* "id:name" */
  guint         tool_ends;
  GPtrArray    *retries;      /* the retry messages */
  guint         last_attempt;
  GCancellable *cancel_on_text;
  gint64        cancelled_at;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->message, json_object_unref);
  g_clear_error (&run->error);
  g_string_free (run->text, TRUE);
  g_string_free (run->thinking, TRUE);
  g_string_free (run->tool_args, TRUE);
  g_ptr_array_unref (run->tool_starts);
  g_ptr_array_unref (run->retries);
  g_clear_object (&run->cancel_on_text);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
on_event (const SeroStreamEvent *event,
          gpointer               user_data)
{
  Run *run = user_data;

  switch (event->kind)
    {
    case SERO_STREAM_TEXT_DELTA:
      g_string_append (run->text, event->delta);
      if (run->cancel_on_text != NULL && run->cancelled_at == 0)
        {
          run->cancelled_at = g_get_monotonic_time ();
          g_cancellable_cancel (run->cancel_on_text);
        }
      break;
    case SERO_STREAM_THINKING_DELTA:
      g_string_append (run->thinking, event->delta);
      break;
    case SERO_STREAM_TOOLCALL_START:
      g_ptr_array_add (run->tool_starts, g_strdup_printf ("%s:%s", event->tool_call_id, event->tool_name));
      break;
    case SERO_STREAM_TOOLCALL_DELTA:
      g_string_append (run->tool_args, event->delta);
      break;
    case SERO_STREAM_TOOLCALL_END:
      run->tool_ends++;
      break;
    case SERO_STREAM_RETRY:
      g_assert_cmpuint (event->attempt, ==, run->last_attempt + 1);
      run->last_attempt = event->attempt;
      g_ptr_array_add (run->retries, g_strdup (event->message));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  run->message = sero_provider_stream_finish (result, &run->error);
  g_assert_true ((run->message == NULL) != (run->error == NULL));
  g_main_loop_quit (run->loop);
}

static JsonArray *
parse_array (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

/* A transcript with a finished tool round, so both conversions are seen:
 * the assistant's toolCall and its toolResult. */
static const char *history_json =
  "[{\"role\": \"user\", \"content\": \"List the files\", \"timestamp\": 1},"
  " {\"role\": \"assistant\", \"content\": ["
  "    {\"type\": \"text\", \"text\": \"Looking.\"},"
  "    {\"type\": \"toolCall\", \"id\": \"call_0\", \"name\": \"bash\", \"arguments\": {\"command\": \"ls\"}}],"
  "  \"api\": \"anthropic-messages\", \"provider\": \"scripted\", \"model\": \"m\", \"stopReason\": \"toolUse\", \"timestamp\": 2},"
  " {\"role\": \"toolResult\", \"toolCallId\": \"call_0\", \"toolName\": \"bash\","
  "  \"content\": [{\"type\": \"text\", \"text\": \"README.md\\nsrc\"}], \"isError\": false, \"timestamp\": 3},"
  " {\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Now run it\"}], \"timestamp\": 4}]";

static const char *tools_json =
  "[{\"name\": \"bash\", \"description\": \"Run a command\","
  "  \"parameters\": {\"type\": \"object\", \"properties\": {\"command\": {\"type\": \"string\"}},"
  "                  \"required\": [\"command\"]}}]";

static void
run_stream (SeroFakeProvider *fake,
            const char       *api,
            Run              *run)
{
  g_autoptr(SeroModel) model = sero_fake_provider_dup_model (fake, api);
  g_autoptr(JsonArray) messages = parse_array (history_json);
  g_autoptr(JsonArray) tools = parse_array (tools_json);
  SeroProviderRequest request = {
    .system_prompt = "You are a test.",
    .messages = messages,
    .tools = tools,
    .thinking_level = "medium",
    .session_id = "session-1",
  };

  run->loop = g_main_loop_new (NULL, FALSE);
  run->text = g_string_new (NULL);
  run->thinking = g_string_new (NULL);
  run->tool_args = g_string_new (NULL);
  run->tool_starts = g_ptr_array_new_with_free_func (g_free);
  run->retries = g_ptr_array_new_with_free_func (g_free);
  run->last_attempt = 1;

  sero_provider_stream_async (model, &request, on_event, run, run->cancel_on_text, on_done, run);
  g_main_loop_run (run->loop);
}

static gboolean
is_openai (gconstpointer data)
{
  return g_str_equal ((const char *) data, "openai-completions");
}

static guint
n_requests (SeroFakeProvider *fake)
{
  g_autoptr(GPtrArray) requests = sero_fake_provider_dup_requests (fake);

  return requests->len;
}

static void
test_content (gconstpointer data)
{
  const char *api = data;
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_autoptr(GPtrArray) requests = NULL;
  g_auto(Run) run = { 0 };
  JsonObject *request, *body, *headers, *usage, *cost, *call, *arguments;
  JsonArray *content, *wire_messages;

  fake = sero_fake_provider_new ("{\"turns\": [{"
                                 "  \"thinking\": \"Let me think about it.\","
                                 "  \"text\": \"I will run the tests.\","
                                 "  \"toolCalls\": [{\"id\": \"call_1\", \"name\": \"bash\","
                                 "                   \"arguments\": {\"command\": \"make check\", \"timeout\": 60}}],"
                                 "  \"usage\": {\"input\": 1200, \"output\": 300, \"cacheRead\": 1000, \"cacheWrite\": 0},"
                                 "  \"chunk\": 3}]}", FALSE);
  run_stream (fake, api, &run);

  g_assert_no_error (run.error);
  g_assert_cmpstr (run.text->str, ==, "I will run the tests.");
  g_assert_cmpstr (run.thinking->str, ==, "Let me think about it.");
  g_assert_cmpuint (run.tool_starts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (run.tool_starts, 0), ==, "call_1:bash");
  g_assert_cmpuint (run.tool_ends, ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 0);
  /* The arguments arrived in pieces (chunk 3), and add up. */
  g_assert_true (g_str_has_prefix (run.tool_args->str, "{\"co"));

  g_assert_cmpstr (json_object_get_string_member (run.message, "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (run.message, "api"), ==, api);
  g_assert_cmpstr (json_object_get_string_member (run.message, "provider"), ==, "scripted");
  g_assert_cmpstr (json_object_get_string_member (run.message, "stopReason"), ==, "toolUse");
  g_assert_cmpint (json_object_get_int_member (run.message, "timestamp"), >, 1600000000000);

  content = json_object_get_array_member (run.message, "content");
  g_assert_cmpuint (json_array_get_length (content), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (content, 0), "type"), ==, "thinking");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (content, 0), "thinking"), ==,
                   "Let me think about it.");
  if (!is_openai (data))
    g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (content, 0),
                                                                    "thinkingSignature"), "sig-"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (content, 1), "text"), ==,
                   "I will run the tests.");
  call = json_array_get_object_element (content, 2);
  g_assert_cmpstr (json_object_get_string_member (call, "type"), ==, "toolCall");
  g_assert_cmpstr (json_object_get_string_member (call, "id"), ==, "call_1");
  g_assert_cmpstr (json_object_get_string_member (call, "name"), ==, "bash");
  arguments = json_object_get_object_member (call, "arguments");
  g_assert_cmpstr (json_object_get_string_member (arguments, "command"), ==, "make check");
  g_assert_cmpint (json_object_get_int_member (arguments, "timeout"), ==, 60);

  usage = json_object_get_object_member (run.message, "usage");
  g_assert_cmpint (json_object_get_int_member (usage, "input"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (usage, "output"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (usage, "cacheRead"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (usage, "totalTokens"), ==, 2500);
  cost = json_object_get_object_member (usage, "cost");
  if (is_openai (data))
    {
      /* 2 / 8 / 0.5 per million */
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "input"), 1200 * 2 / 1e6, 1e-12);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "output"), 300 * 8 / 1e6, 1e-12);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total"),
                                      (1200 * 2 + 300 * 8 + 1000 * 0.5) / 1e6, 1e-12);
    }
  else
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (cost, "total"),
                                    (1200 * 3 + 300 * 15 + 1000 * 0.3) / 1e6, 1e-12);

  /* What the model was sent. */
  requests = sero_fake_provider_dup_requests (fake);
  g_assert_cmpuint (requests->len, ==, 1);
  request = g_ptr_array_index (requests, 0);
  headers = json_object_get_object_member (request, "headers");
  body = json_object_get_object_member (request, "body");
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==,
                   is_openai (data) ? SERO_FAKE_MODEL_OPENAI : SERO_FAKE_MODEL_ANTHROPIC);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  wire_messages = json_object_get_array_member (body, "messages");

  if (is_openai (data))
    {
      JsonObject *assistant, *tool;

      g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, "/v1/chat/completions");
      g_assert_cmpstr (json_object_get_string_member (headers, "authorization"), ==, "…1234");
      g_assert_true (json_object_get_boolean_member (json_object_get_object_member (body, "stream_options"),
                                                     "include_usage"));
      /* system, user, assistant with tool_calls, tool, user */
      g_assert_cmpuint (json_array_get_length (wire_messages), ==, 5);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (wire_messages, 0), "role"), ==, "system");
      assistant = json_array_get_object_element (wire_messages, 2);
      g_assert_cmpstr (json_object_get_string_member (assistant, "content"), ==, "Looking.");
      call = json_array_get_object_element (json_object_get_array_member (assistant, "tool_calls"), 0);
      g_assert_cmpstr (json_object_get_string_member (call, "id"), ==, "call_0");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (call, "function"), "arguments"), ==,
                       "{\"command\":\"ls\"}");
      tool = json_array_get_object_element (wire_messages, 3);
      g_assert_cmpstr (json_object_get_string_member (tool, "role"), ==, "tool");
      g_assert_cmpstr (json_object_get_string_member (tool, "tool_call_id"), ==, "call_0");
      g_assert_cmpstr (json_object_get_string_member (tool, "content"), ==, "README.md\nsrc");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_array_get_object_element (json_object_get_array_member (body, "tools"), 0), "function"),
                         "name"), ==, "bash");
    }
  else
    {
      JsonObject *result;
      JsonArray *assistant;

      g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, "/v1/messages");
      g_assert_cmpstr (json_object_get_string_member (headers, "x-api-key"), ==, "…1234");
      g_assert_cmpstr (json_object_get_string_member (headers, "anthropic-version"), ==, "2023-06-01");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                         json_object_get_array_member (body, "system"), 0), "text"), ==, "You are a test.");
      g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 16384);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (body, "thinking"), "budget_tokens"), ==, 8192);
      /* user, assistant (text + tool_use), user (tool_result), user */
      g_assert_cmpuint (json_array_get_length (wire_messages), ==, 4);
      assistant = json_object_get_array_member (json_array_get_object_element (wire_messages, 1), "content");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (assistant, 1), "type"), ==, "tool_use");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_array_get_object_element (assistant, 1), "input"), "command"), ==, "ls");
      result = json_array_get_object_element (json_object_get_array_member (
                 json_array_get_object_element (wire_messages, 2), "content"), 0);
      g_assert_cmpstr (json_object_get_string_member (result, "type"), ==, "tool_result");
      g_assert_cmpstr (json_object_get_string_member (result, "tool_use_id"), ==, "call_0");
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                         json_object_get_array_member (result, "content"), 0), "text"), ==, "README.md\nsrc");
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                         json_array_get_object_element (json_object_get_array_member (body, "tools"), 0), "input_schema"),
                         "type"), ==, "object");
    }
}

static void
test_auth (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  fake = sero_fake_provider_new ("{\"turns\": [{\"status\": 401, \"message\": \"invalid x-api-key\"},"
                                 "            {\"text\": \"never reached\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (run.error->message, "Authentication failed for scripted"));
  g_assert_nonnull (strstr (run.error->message, "invalid x-api-key"));
  g_assert_cmpuint (run.retries->len, ==, 0);
  g_assert_cmpuint (n_requests (fake), ==, 1);
}

static void
test_rate_limit_then_success (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  fake = sero_fake_provider_new ("{\"turns\": [{\"status\": 429, \"headers\": {\"retry-after\": \"0\"},"
                                 "             \"message\": \"Rate limit reached\"},"
                                 "            {\"text\": \"Second time lucky\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (run.retries, 0), "429"));
  g_assert_nonnull (strstr (g_ptr_array_index (run.retries, 0), "Rate limit reached"));
  g_assert_cmpstr (run.text->str, ==, "Second time lucky");
  g_assert_cmpstr (json_object_get_string_member (run.message, "stopReason"), ==, "stop");
  g_assert_cmpuint (n_requests (fake), ==, 2);
}

static void
test_server_error_gives_up (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  fake = sero_fake_provider_new ("{\"turns\": [{\"status\": 500, \"message\": \"boom\"},"
                                 "            {\"status\": 500, \"message\": \"boom\"},"
                                 "            {\"status\": 500, \"message\": \"boom\"},"
                                 "            {\"status\": 500, \"message\": \"boom\"},"
                                 "            {\"text\": \"too late\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_SERVER);
  g_assert_nonnull (strstr (run.error->message, "scripted"));
  g_assert_nonnull (strstr (run.error->message, "HTTP 500"));
  g_assert_nonnull (strstr (run.error->message, "boom"));
  g_assert_nonnull (strstr (run.error->message, "gave up after 3 retries"));
  g_assert_cmpuint (run.retries->len, ==, 3);
  g_assert_cmpuint (n_requests (fake), ==, 4);
}

/* A connection that drops before anything was shown is retried ... */
static void
test_cut_before_content (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  fake = sero_fake_provider_new ("{\"turns\": [{\"text\": \"lost\", \"cutAfterEvents\": 1},"
                                 "            {\"text\": \"whole\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_cmpstr (run.text->str, ==, "whole");
  g_assert_cmpuint (n_requests (fake), ==, 2);
}

/* ... but once text was shown, a retry would show it twice: a clear error. */
static void
test_cut_mid_answer (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  fake = sero_fake_provider_new ("{\"turns\": [{\"text\": \"This answer is cut short\", \"cutAfterEvents\": 4},"
                                 "            {\"text\": \"unused\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK);
  g_assert_nonnull (strstr (run.error->message, "scripted stopped mid-answer"));
  g_assert_cmpuint (run.text->len, >, 0);
  g_assert_cmpuint (run.retries->len, ==, 0);
  g_assert_cmpuint (n_requests (fake), ==, 1);
}

static void
test_malformed (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  if (is_openai (data))
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"data: {\\\"choices\\\": [{\\\"delta\\\": {\\\"content\\\": \\\"ok\\\"}}]}\\n\\n"
                                   "data: {not json at all\\n\\n\"}]}", FALSE);
  else
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"event: message_start\\ndata: {\\\"type\\\": \\\"message_start\\\", \\\"message\\\": {}}\\n\\n"
                                   "event: content_block_delta\\ndata: {\\\"type\\\": \\\"content_block_delta\\\", \\\"index\\\": 7,"
                                   " \\\"delta\\\": {\\\"type\\\": \\\"text_delta\\\", \\\"text\\\": \\\"x\\\"}}\\n\\n\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (run.error->message, "scripted"));
  g_assert_cmpuint (run.retries->len, ==, 0);
}

static void
test_tool_arguments_not_json (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  if (is_openai (data))
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"data: {\\\"choices\\\": [{\\\"delta\\\": {\\\"tool_calls\\\": [{\\\"index\\\": 0,"
                                   " \\\"id\\\": \\\"c\\\", \\\"function\\\": {\\\"name\\\": \\\"bash\\\", \\\"arguments\\\": \\\"{\\\\\\\"comm\\\"}}]},"
                                   " \\\"finish_reason\\\": \\\"tool_calls\\\"}]}\\n\\ndata: [DONE]\\n\\n\"}]}", FALSE);
  else
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"event: content_block_start\\ndata: {\\\"type\\\": \\\"content_block_start\\\", \\\"index\\\": 0,"
                                   " \\\"content_block\\\": {\\\"type\\\": \\\"tool_use\\\", \\\"id\\\": \\\"c\\\", \\\"name\\\": \\\"bash\\\", \\\"input\\\": {}}}\\n\\n"
                                   "event: content_block_delta\\ndata: {\\\"type\\\": \\\"content_block_delta\\\", \\\"index\\\": 0,"
                                   " \\\"delta\\\": {\\\"type\\\": \\\"input_json_delta\\\", \\\"partial_json\\\": \\\"{\\\\\\\"comm\\\"}}\\n\\n"
                                   "event: message_delta\\ndata: {\\\"type\\\": \\\"message_delta\\\", \\\"delta\\\": {\\\"stop_reason\\\": \\\"tool_use\\\"}}\\n\\n"
                                   "event: message_stop\\ndata: {\\\"type\\\": \\\"message_stop\\\"}\\n\\n\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (run.error->message, "not a JSON object"));
}

static void
test_stream_error_event (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };

  /* Overloaded before any content: retried like a 5xx. */
  if (is_openai (data))
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"data: {\\\"error\\\": {\\\"message\\\": \\\"Overloaded\\\","
                                   " \\\"type\\\": \\\"server_error\\\", \\\"code\\\": null}}\\n\\n\"},"
                                   "            {\"text\": \"recovered\"}]}", FALSE);
  else
    fake = sero_fake_provider_new ("{\"turns\": [{\"raw\": \"event: error\\ndata: {\\\"type\\\": \\\"error\\\", \\\"error\\\":"
                                   " {\\\"type\\\": \\\"overloaded_error\\\", \\\"message\\\": \\\"Overloaded\\\"}}\\n\\n\"},"
                                   "            {\"text\": \"recovered\"}]}", FALSE);
  run_stream (fake, data, &run);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (run.retries, 0), "Overloaded"));
  g_assert_cmpstr (run.text->str, ==, "recovered");
}

static void
test_cancel_mid_stream (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };
  gint64 elapsed;

  /* 200 deltas, 100 ms apart: 20 s if cancellation did not work. */
  fake = sero_fake_provider_new ("{\"turns\": [{\"text\": \"0123456789012345678901234567890123456789"
                                 "0123456789012345678901234567890123456789012345678901234567890123456789"
                                 "0123456789012345678901234567890123456789012345678901234567890123456789\","
                                 " \"chunk\": 1, \"delayMs\": 100}]}", FALSE);
  run.cancel_on_text = g_cancellable_new ();
  run_stream (fake, data, &run);

  elapsed = g_get_monotonic_time () - run.cancelled_at;
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (run.cancelled_at, >, 0);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (run.text->len, <, 5);
}

static void
test_cancel_during_retry_wait (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = NULL;
  g_auto(Run) run = { 0 };
  gint64 started;

  /* The server asks for a 30 s pause; a cancel must not wait for it. */
  fake = sero_fake_provider_new ("{\"turns\": [{\"status\": 429, \"headers\": {\"retry-after\": \"30\"}}]}", FALSE);
  run.cancel_on_text = g_cancellable_new ();
  started = g_get_monotonic_time ();
  g_timeout_add_once (300, (GSourceOnceFunc) g_cancellable_cancel, run.cancel_on_text);
  run_stream (fake, data, &run);

  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
}

static void
test_unreachable (gconstpointer data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(JsonArray) messages = parse_array ("[{\"role\": \"user\", \"content\": \"hi\"}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_auto(Run) run = { 0 };
  SeroProviderRequest request = { .messages = messages };

  /* A port that was free a moment ago: nobody listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  base_url = g_strdup_printf ("http://127.0.0.1:%u%s",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                              is_openai (data) ? "/v1" : "");
  g_socket_close (socket, NULL);

  model = sero_model_new ("local", "m", data, base_url);
  run.loop = g_main_loop_new (NULL, FALSE);
  run.text = g_string_new (NULL);
  run.thinking = g_string_new (NULL);
  run.tool_args = g_string_new (NULL);
  run.tool_starts = g_ptr_array_new_with_free_func (g_free);
  run.retries = g_ptr_array_new_with_free_func (g_free);
  run.last_attempt = 1;
  sero_provider_stream_async (model, &request, on_event, &run, NULL, on_done, &run);
  g_main_loop_run (run.loop);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_NETWORK);
  g_assert_true (g_str_has_prefix (run.error->message, "Could not reach local at http://127.0.0.1:"));
  g_assert_nonnull (strstr (run.error->message, "gave up after 3 retries"));
  g_assert_cmpuint (run.retries->len, ==, 3);
}

static void
test_unsupported_api (void)
{
  g_autoptr(SeroModel) model = sero_model_new ("google", "gemini", "google-generative-ai", "http://127.0.0.1:1");
  g_autoptr(JsonArray) messages = parse_array ("[]");
  g_auto(Run) run = { 0 };
  SeroProviderRequest request = { .messages = messages };

  run.loop = g_main_loop_new (NULL, FALSE);
  run.text = g_string_new (NULL);
  run.thinking = g_string_new (NULL);
  run.tool_args = g_string_new (NULL);
  run.tool_starts = g_ptr_array_new_with_free_func (g_free);
  run.retries = g_ptr_array_new_with_free_func (g_free);
  sero_provider_stream_async (model, &request, on_event, &run, NULL, on_done, &run);
  g_main_loop_run (run.loop);

  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_UNSUPPORTED_API);
  g_assert_nonnull (strstr (run.error->message, "google-generative-ai"));
}

/* The path other tests take: models.json from the wrapper, then the
 * registry; what it resolves must equal the wrapper's own model. */
static void
test_through_registry (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = sero_fake_provider_new ("{\"turns\": []}", FALSE);
  g_autoptr(SeroModelRegistry) registry = NULL;
  g_autoptr(SeroModel) resolved = NULL;
  g_autoptr(SeroModel) expected = sero_fake_provider_dup_model (fake, data);
  g_autoptr(GFile) dir_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sero-fake-agent-XXXXXX", &error);
  g_autofree char *spec = NULL;

  g_assert_no_error (error);
  sero_fake_provider_write_models_json (fake, dir);
  registry = sero_model_registry_new (dir);
  spec = g_strdup_printf ("%s/%s", SERO_FAKE_PROVIDER_ID,
                          is_openai (data) ? SERO_FAKE_MODEL_OPENAI : SERO_FAKE_MODEL_ANTHROPIC);
  resolved = sero_model_registry_resolve (registry, spec, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (resolved->api, ==, expected->api);
  g_assert_cmpstr (resolved->base_url, ==, expected->base_url);
  g_assert_cmpstr (resolved->api_key, ==, SERO_FAKE_PROVIDER_KEY);
  g_assert_cmpuint (resolved->max_tokens, ==, expected->max_tokens);
  g_assert_true (resolved->reasoning == expected->reasoning);
  g_assert_cmpfloat (resolved->cost.input, ==, expected->cost.input);
  g_assert_cmpfloat (resolved->cost.output, ==, expected->cost.output);
  g_assert_cmpfloat (resolved->cost.cache_read, ==, expected->cost.cache_read);
  g_assert_cmpfloat (resolved->cost.cache_write, ==, expected->cost.cache_write);

  dir_file = g_file_new_for_path (dir);
  sero_file_delete_tree (dir_file, NULL, NULL);
}

/* The script ran out: a 500 that says so, retried and then reported. */
static void
test_script_exhausted (gconstpointer data)
{
  g_autoptr(SeroFakeProvider) fake = sero_fake_provider_new ("{\"turns\": []}", FALSE);
  g_auto(Run) run = { 0 };

  run_stream (fake, data, &run);
  g_assert_error (run.error, SERO_PROVIDER_ERROR, SERO_PROVIDER_ERROR_SERVER);
  g_assert_nonnull (strstr (run.error->message, "no turn left"));
}

static void
add_both (const char    *name,
          GTestDataFunc  func)
{
  static const char * const apis[] = { "anthropic-messages", "openai-completions" };

  for (guint i = 0; i < G_N_ELEMENTS (apis); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sero/providers/%s/%s", apis[i], name);

      g_test_add_data_func (path, apis[i], func);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* The retry delays' test knob: milliseconds, not seconds. */
  g_setenv ("SERO_PROVIDER_RETRY_BASE_MS", "5", TRUE);

  g_test_init (&argc, &argv, NULL);

  add_both ("content", test_content);
  add_both ("auth", test_auth);
  add_both ("rate-limit-then-success", test_rate_limit_then_success);
  add_both ("server-error-gives-up", test_server_error_gives_up);
  add_both ("cut-before-content", test_cut_before_content);
  add_both ("cut-mid-answer", test_cut_mid_answer);
  add_both ("malformed", test_malformed);
  add_both ("tool-arguments-not-json", test_tool_arguments_not_json);
  add_both ("stream-error-event", test_stream_error_event);
  add_both ("cancel-mid-stream", test_cancel_mid_stream);
  add_both ("cancel-during-retry-wait", test_cancel_during_retry_wait);
  add_both ("unreachable", test_unreachable);
  add_both ("through-registry", test_through_registry);
  add_both ("script-exhausted", test_script_exhausted);
  g_test_add_func ("/sero/providers/unsupported-api", test_unsupported_api);

  return g_test_run ();
}
