/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-fake-provider"

#include "config.h"

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-fake-provider.h"

struct _SeroFakeProvider
{
  GSubprocess *process;
  char        *dir;
  char        *log_path;
  guint16      port;
};

static const char *
script_path (void)
{
  const char *env = g_getenv ("SERO_FAKE_PROVIDER");

  return env != NULL && *env != '\0' ? env : SERO_FAKE_PROVIDER_SCRIPT;
}

SeroFakeProvider *
sero_fake_provider_new (const char *script_json,
                        gboolean    repeat_last)
{
  SeroFakeProvider *self = g_new0 (SeroFakeProvider, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *script_file = NULL;
  g_autofree char *line = NULL;
  guint64 port = 0;

  g_assert (script_json != NULL);

  self->dir = g_dir_make_tmp ("sero-fake-provider-XXXXXX", &error);
  g_assert_no_error (error);
  script_file = g_build_filename (self->dir, "script.json", NULL);
  self->log_path = g_build_filename (self->dir, "requests.jsonl", NULL);
  g_file_set_contents (script_file, script_json, -1, &error);
  g_assert_no_error (error);

  g_ptr_array_add (argv, (char *) "python3");
  g_ptr_array_add (argv, (char *) script_path ());
  g_ptr_array_add (argv, (char *) "--script");
  g_ptr_array_add (argv, script_file);
  g_ptr_array_add (argv, (char *) "--log");
  g_ptr_array_add (argv, self->log_path);
  if (repeat_last)
    g_ptr_array_add (argv, (char *) "--repeat-last");
  g_ptr_array_add (argv, NULL);

  self->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error);
  if (self->process == NULL)
    g_error ("Could not start the fake provider (%s): %s", script_path (), error->message);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  if (line == NULL || !g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL))
    g_error ("The fake provider did not print its port (got “%s”%s%s)",
             line ? line : "end of output", error ? ": " : "", error ? error->message : "");
  self->port = (guint16) port;

  return self;
}

guint16
sero_fake_provider_get_port (SeroFakeProvider *self)
{
  return self->port;
}

char *
sero_fake_provider_dup_base_url (SeroFakeProvider *self,
                                 const char       *api)
{
  if (g_strcmp0 (api, "openai-completions") == 0)
    return g_strdup_printf ("http://127.0.0.1:%u/v1", self->port);
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

static void
set_cost (SeroModelCost *cost,
          const char    *api)
{
  if (g_strcmp0 (api, "openai-completions") == 0)
    *cost = (SeroModelCost) { 2, 8, 0.5, 0 };
  else
    *cost = (SeroModelCost) { 3, 15, 0.3, 3.75 };
}

SeroModel *
sero_fake_provider_dup_model (SeroFakeProvider *self,
                              const char       *api)
{
  g_autofree char *base_url = sero_fake_provider_dup_base_url (self, api);
  gboolean openai = g_strcmp0 (api, "openai-completions") == 0;
  SeroModel *model;

  model = sero_model_new (SERO_FAKE_PROVIDER_ID,
                          openai ? SERO_FAKE_MODEL_OPENAI : SERO_FAKE_MODEL_ANTHROPIC,
                          openai ? "openai-completions" : "anthropic-messages",
                          base_url);
  g_free (model->name);
  model->name = g_strdup (openai ? "Scripted (OpenAI)" : "Scripted (Anthropic)");
  model->api_key = g_strdup (SERO_FAKE_PROVIDER_KEY);
  model->reasoning = TRUE;
  model->context_window = 200000;
  model->max_tokens = 16384;
  set_cost (&model->cost, model->api);
  return model;
}

static JsonObject *
model_json (SeroFakeProvider *self,
            const char       *api)
{
  g_autoptr(SeroModel) model = sero_fake_provider_dup_model (self, api);
  JsonObject *object = json_object_new ();
  JsonObject *cost = json_object_new ();

  json_object_set_string_member (object, "id", model->id);
  json_object_set_string_member (object, "name", model->name);
  json_object_set_string_member (object, "api", model->api);
  json_object_set_string_member (object, "baseUrl", model->base_url);
  json_object_set_boolean_member (object, "reasoning", model->reasoning);
  json_object_set_int_member (object, "contextWindow", model->context_window);
  json_object_set_int_member (object, "maxTokens", model->max_tokens);
  json_object_set_double_member (cost, "input", model->cost.input);
  json_object_set_double_member (cost, "output", model->cost.output);
  json_object_set_double_member (cost, "cacheRead", model->cost.cache_read);
  json_object_set_double_member (cost, "cacheWrite", model->cost.cache_write);
  json_object_set_object_member (object, "cost", cost);
  return object;
}

void
sero_fake_provider_write_models_json (SeroFakeProvider *self,
                                      const char       *agent_dir)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autofree char *path = g_build_filename (agent_dir, "models.json", NULL);
  g_autofree char *base_url = sero_fake_provider_dup_base_url (self, "anthropic-messages");
  g_autoptr(GError) error = NULL;
  JsonObject *providers = json_object_new ();
  JsonObject *provider = json_object_new ();
  JsonArray *models = json_array_new ();

  json_array_add_object_element (models, model_json (self, "anthropic-messages"));
  json_array_add_object_element (models, model_json (self, "openai-completions"));
  json_object_set_string_member (provider, "baseUrl", base_url);
  json_object_set_string_member (provider, "apiKey", SERO_FAKE_PROVIDER_KEY);
  json_object_set_array_member (provider, "models", models);
  json_object_set_object_member (providers, SERO_FAKE_PROVIDER_ID, provider);
  json_object_set_object_member (root, "providers", providers);

  sero_json_file_save_object (path, root, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
}

GPtrArray *
sero_fake_provider_dup_requests (SeroFakeProvider *self)
{
  GPtrArray *requests = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (self->log_path, &contents, NULL, NULL))
    return requests;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      if (*lines[i] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_ptr_array_add (requests, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
    }

  return requests;
}

void
sero_fake_provider_free (SeroFakeProvider *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }

  if (self->dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (self->dir);

      sero_file_delete_tree (dir, NULL, NULL);
    }

  g_free (self->dir);
  g_free (self->log_path);
  g_free (self);
}
