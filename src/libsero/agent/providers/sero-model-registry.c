/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-model-registry"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "sero-json-file.h"
#include "sero-model-registry.h"

/* The model registry reads pi's own files so that a profile set up with pi
 * (or an earlier Sero) keeps working, and files we write still work in pi
 * (issue 6, reference §3.5):
 *
 *   auth.json      {"<provider>": {"type": "api_key", "key": "<config value>"}}
 *   models.json    {"providers": {"<id>": {baseUrl, api, apiKey, headers,
 *                   authHeader, models: [...], modelOverrides: {...}}}}
 *   settings.json  {"defaultProvider": "...", "defaultModel": "..."}
 *
 * A "config value" (auth.json keys, models.json apiKey and header values) is
 * resolved as pi's resolveConfigValue() does: "!cmd" runs cmd in a shell and
 * uses its trimmed stdout, otherwise the value names an environment variable
 * if one is set, otherwise it is the literal. We add one word: "none" means
 * "send no key", for local servers that want none.
 *
 * Key precedence is pi's AuthStorage.getApiKey(): auth.json first, then the
 * provider's environment variable, then models.json's apiKey. */

#define KEYRING_SCHEMA_NAME    "ai.sero.ApiKey"
#define KEYRING_SERVICE        "ai.sero"
#define COMMAND_TIMEOUT_MS     10000  /* pi's execSync timeout */
#define DEFAULT_CONTEXT_WINDOW 128000 /* pi's defaults for custom models */
#define DEFAULT_MAX_TOKENS     16384

struct _SeroModelRegistry
{
  GObject     parent_instance;

  char       *agent_dir;

  gboolean    loaded;
  GError     *load_error;

  GPtrArray  *providers;      /* Provider*, in the order they are offered */
  JsonObject *auth;           /* auth.json as read (or as last written) */
  char       *default_provider;
  char       *default_model;

  GHashTable *command_cache;  /* "!cmd" → its output ("" when it failed) */
};

G_DEFINE_FINAL_TYPE (SeroModelRegistry, sero_model_registry, G_TYPE_OBJECT)

G_DEFINE_QUARK (sero-model-error-quark, sero_model_error)

/* g_set_str() arrived in GLib 2.76; our floor is 2.74. */
static void
set_str (char       **ptr,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*ptr);
  *ptr = copy;
}

/* ------------------------------------------------------------------------ */
/* Built-in providers and models                                             */

typedef struct
{
  const char *id;
  const char *api;
  const char *base_url;
  const char *env_var;
} BuiltinProvider;

typedef struct
{
  const char    *provider;
  const char    *id;
  const char    *name;
  gboolean       reasoning;
  guint          context_window;
  guint          max_tokens;
  SeroModelCost  cost;
} BuiltinModel;

/* Base URLs and APIs as pi-ai ships them, except that OpenAI is spoken
 * through Chat Completions (pi uses the Responses API there): Sero speaks
 * the two wire protocols issue 6 asks for, and Chat Completions serves every
 * model listed below. */
static const BuiltinProvider builtin_providers[] = {
  { "anthropic",  "anthropic-messages", "https://api.anthropic.com",      "ANTHROPIC_API_KEY" },
  { "openai",     "openai-completions", "https://api.openai.com/v1",      "OPENAI_API_KEY" },
  { "openrouter", "openai-completions", "https://openrouter.ai/api/v1",   "OPENROUTER_API_KEY" },
  { "groq",       "openai-completions", "https://api.groq.com/openai/v1", "GROQ_API_KEY" },
  { "xai",        "openai-completions", "https://api.x.ai/v1",            "XAI_API_KEY" },
};

/* A few current models per provider, with pi-ai's limits and prices (USD
 * per million tokens). A model id that is not listed here still resolves
 * for a built-in provider (see resolve_in_provider()), so this list only
 * needs the ones worth offering in a picker. */
static const BuiltinModel builtin_models[] = {
  { "anthropic", "claude-sonnet-4-5", "Claude Sonnet 4.5", TRUE, 200000, 64000, { 3, 15, 0.3, 3.75 } },
  { "anthropic", "claude-opus-4-5", "Claude Opus 4.5", TRUE, 200000, 64000, { 5, 25, 0.5, 6.25 } },
  { "anthropic", "claude-haiku-4-5", "Claude Haiku 4.5", TRUE, 200000, 64000, { 1, 5, 0.1, 1.25 } },
  { "openai", "gpt-5", "GPT-5", TRUE, 400000, 128000, { 1.25, 10, 0.125, 0 } },
  { "openai", "gpt-5-mini", "GPT-5 mini", TRUE, 400000, 128000, { 0.25, 2, 0.025, 0 } },
  { "openai", "gpt-4.1", "GPT-4.1", FALSE, 1047576, 32768, { 2, 8, 0.5, 0 } },
  { "openai", "gpt-4.1-mini", "GPT-4.1 mini", FALSE, 1047576, 32768, { 0.4, 1.6, 0.1, 0 } },
  { "openai", "o4-mini", "o4-mini", TRUE, 200000, 100000, { 1.1, 4.4, 0.28, 0 } },
  { "openrouter", "anthropic/claude-sonnet-4.5", "Claude Sonnet 4.5 (OpenRouter)", TRUE, 1000000, 64000, { 3, 15, 0.3, 3.75 } },
  { "openrouter", "openai/gpt-5", "GPT-5 (OpenRouter)", TRUE, 400000, 128000, { 1.25, 10, 0.125, 0 } },
  { "openrouter", "openai/gpt-oss-120b", "gpt-oss-120b (OpenRouter)", TRUE, 131072, 32768, { 0.039, 0.19, 0, 0 } },
  { "groq", "llama-3.3-70b-versatile", "Llama 3.3 70B Versatile", FALSE, 131072, 32768, { 0.59, 0.79, 0, 0 } },
  { "groq", "openai/gpt-oss-120b", "gpt-oss-120b (Groq)", TRUE, 131072, 65536, { 0.15, 0.6, 0, 0 } },
  { "groq", "moonshotai/kimi-k2-instruct-0905", "Kimi K2 (Groq)", FALSE, 262144, 16384, { 1, 3, 0, 0 } },
  { "xai", "grok-4", "Grok 4", TRUE, 256000, 64000, { 3, 15, 0.75, 0 } },
  { "xai", "grok-code-fast-1", "Grok Code Fast 1", TRUE, 256000, 10000, { 0.2, 1.5, 0.02, 0 } },
  { "xai", "grok-4-fast-non-reasoning", "Grok 4 Fast", FALSE, 2000000, 30000, { 0.2, 0.5, 0.05, 0 } },
};

typedef struct
{
  char       *id;
  char       *api;            /* the provider's default api */
  char       *base_url;       /* the provider's default base URL */
  const char *env_var;        /* built-ins only */
  char       *api_key_config; /* models.json apiKey, unresolved */
  gboolean    builtin;
  gboolean    auth_header;    /* models.json authHeader */
  GPtrArray  *models;         /* SeroModel*, headers unresolved, no key */
} Provider;

static void
provider_free (Provider *provider)
{
  g_free (provider->id);
  g_free (provider->api);
  g_free (provider->base_url);
  g_free (provider->api_key_config);
  g_clear_pointer (&provider->models, g_ptr_array_unref);
  g_free (provider);
}

static Provider *
provider_new (const char *id)
{
  Provider *provider = g_new0 (Provider, 1);

  provider->id = g_strdup (id);
  provider->models = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_model_free);
  return provider;
}

static Provider *
find_provider (GPtrArray  *providers,
               const char *id)
{
  for (guint i = 0; i < providers->len; i++)
    {
      Provider *provider = g_ptr_array_index (providers, i);

      if (g_str_equal (provider->id, id))
        return provider;
    }

  return NULL;
}

static SeroModel *
find_model (Provider   *provider,
            const char *id,
            guint      *index)
{
  for (guint i = 0; i < provider->models->len; i++)
    {
      SeroModel *model = g_ptr_array_index (provider->models, i);

      if (g_str_equal (model->id, id))
        {
          if (index != NULL)
            *index = i;
          return model;
        }
    }

  return NULL;
}

static GHashTable *
new_header_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static GPtrArray *
builtin_provider_list (void)
{
  GPtrArray *providers = g_ptr_array_new_with_free_func ((GDestroyNotify) provider_free);

  for (guint i = 0; i < G_N_ELEMENTS (builtin_providers); i++)
    {
      const BuiltinProvider *info = &builtin_providers[i];
      Provider *provider = provider_new (info->id);

      provider->api = g_strdup (info->api);
      provider->base_url = g_strdup (info->base_url);
      provider->env_var = info->env_var;
      provider->builtin = TRUE;

      for (guint j = 0; j < G_N_ELEMENTS (builtin_models); j++)
        {
          const BuiltinModel *m = &builtin_models[j];
          SeroModel *model;

          if (!g_str_equal (m->provider, info->id))
            continue;

          model = sero_model_new (info->id, m->id, info->api, info->base_url);
          g_free (model->name);
          model->name = g_strdup (m->name);
          model->reasoning = m->reasoning;
          model->context_window = m->context_window;
          model->max_tokens = m->max_tokens;
          model->cost = m->cost;
          g_ptr_array_add (provider->models, model);
        }

      g_ptr_array_add (providers, provider);
    }

  return providers;
}

/* ------------------------------------------------------------------------ */
/* Reading the files                                                         */

static gboolean
set_field_error (GError     **error,
                 const char  *file,
                 const char  *where,
                 const char  *field,
                 const char  *wanted)
{
  g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE,
               "%s: “%s%s%s” must be %s; fix the file and try again (nothing was changed)",
               file, where, *where ? "." : "", field, wanted);
  return FALSE;
}

/* Reads a JSON object from @path. A missing file is an empty object; a file
 * that does not parse is an error naming file, line and column, and is left
 * exactly as it is (no quarantine: a person may be editing it by hand). */
static JsonObject *
load_object_file (const char         *path,
                  SeroJsonFileFlags   flags,
                  GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  root = sero_json_file_load (path, flags, &local_error);
  if (root == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return json_object_new ();

      g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE,
                   "%s", local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE,
                   "%s: the file must hold a JSON object ({…}); fix it and try again (nothing was changed)",
                   path);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* Typed member access: absent (or null) is fine and leaves *out alone; a
 * member of the wrong type is an error that names file and field. */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            const char **out,
            const char  *file,
            const char  *where,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return set_field_error (error, file, where, member, "a string");
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject  *object,
          const char  *member,
          gboolean    *out,
          const char  *file,
          const char  *where,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return set_field_error (error, file, where, member, "true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_number (JsonObject  *object,
            const char  *member,
            double      *out,
            const char  *file,
            const char  *where,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return set_field_error (error, file, where, member, "a number");
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return set_field_error (error, file, where, member, "a number");
  return TRUE;
}

static gboolean
get_count (JsonObject  *object,
           const char  *member,
           guint       *out,
           const char  *file,
           const char  *where,
           GError     **error)
{
  double value = -1;

  if (!json_object_has_member (object, member))
    return TRUE;
  if (!get_number (object, member, &value, file, where, error))
    return FALSE;
  if (value < 0)
    return TRUE; /* null */
  if (value < 1 || value > G_MAXUINT32)
    return set_field_error (error, file, where, member, "a positive whole number");
  *out = (guint) value;
  return TRUE;
}

static gboolean
get_object (JsonObject  *object,
            const char  *member,
            JsonObject **out,
            const char  *file,
            const char  *where,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_field_error (error, file, where, member, "an object ({…})");
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
get_array (JsonObject  *object,
           const char  *member,
           JsonArray  **out,
           const char  *file,
           const char  *where,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_field_error (error, file, where, member, "a list ([…])");
  *out = json_node_get_array (node);
  return TRUE;
}

/* Header values stay unresolved until a model is handed out: they may run
 * commands, and only the model actually used should pay for that. */
static gboolean
merge_headers (GHashTable **headers,
               JsonObject  *object,
               const char  *file,
               const char  *where,
               GError     **error)
{
  JsonObject *map = NULL;
  g_autofree char *field = g_strdup_printf ("%s%sheaders", where, *where ? "." : "");
  g_autoptr(GList) names = NULL;

  if (!get_object (object, "headers", &map, file, where, error))
    return FALSE;
  if (map == NULL)
    return TRUE;

  names = json_object_get_members (map);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *value = NULL;

      if (!get_string (map, l->data, &value, file, field, error))
        return FALSE;
      if (value == NULL || *value == '\0')
        continue;
      if (*headers == NULL)
        *headers = new_header_table ();
      g_hash_table_insert (*headers, g_strdup (l->data), g_strdup (value));
    }

  return TRUE;
}

static gboolean
read_cost (JsonObject    *object,
           SeroModelCost *cost,
           const char    *file,
           const char    *where,
           GError       **error)
{
  JsonObject *map = NULL;
  g_autofree char *field = g_strdup_printf ("%s.cost", where);

  if (!get_object (object, "cost", &map, file, where, error))
    return FALSE;
  if (map == NULL)
    return TRUE;

  return get_number (map, "input", &cost->input, file, field, error) &&
         get_number (map, "output", &cost->output, file, field, error) &&
         get_number (map, "cacheRead", &cost->cache_read, file, field, error) &&
         get_number (map, "cacheWrite", &cost->cache_write, file, field, error);
}

/* The fields a model definition and a modelOverrides entry share. */
static gboolean
apply_model_fields (SeroModel   *model,
                    JsonObject  *def,
                    const char  *file,
                    const char  *where,
                    GError     **error)
{
  const char *name = NULL;

  if (!get_string (def, "name", &name, file, where, error) ||
      !get_bool (def, "reasoning", &model->reasoning, file, where, error) ||
      !get_count (def, "contextWindow", &model->context_window, file, where, error) ||
      !get_count (def, "maxTokens", &model->max_tokens, file, where, error) ||
      !read_cost (def, &model->cost, file, where, error) ||
      !merge_headers (&model->headers, def, file, where, error))
    return FALSE;

  if (name != NULL && *name != '\0')
    set_str (&model->name, name);

  return TRUE;
}

static gboolean
parse_custom_models (Provider    *provider,
                     JsonArray   *models,
                     GHashTable  *provider_headers,
                     const char  *file,
                     const char  *where,
                     GError     **error)
{
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonNode *node = json_array_get_element (models, i);
      g_autofree char *model_where = g_strdup_printf ("%s.models[%u]", where, i);
      g_autoptr(SeroModel) model = NULL;
      JsonObject *def;
      const char *id = NULL;
      const char *api = provider->api;
      const char *base_url = provider->base_url;
      guint existing;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE,
                       "%s: “%s” must be an object ({\"id\": …}); fix the file and try again (nothing was changed)",
                       file, model_where);
          return FALSE;
        }
      def = json_node_get_object (node);

      if (!get_string (def, "id", &id, file, model_where, error) ||
          !get_string (def, "api", &api, file, model_where, error) ||
          !get_string (def, "baseUrl", &base_url, file, model_where, error))
        return FALSE;

      if (id == NULL || *id == '\0')
        return set_field_error (error, file, model_where, "id", "the model id, a non-empty string");
      if (api == NULL || *api == '\0')
        return set_field_error (error, file, where, "api",
                                "set, here or on the model (\"anthropic-messages\" or \"openai-completions\")");
      if (base_url == NULL || *base_url == '\0')
        return set_field_error (error, file, where, "baseUrl",
                                "set, here or on the model (e.g. \"http://localhost:11434/v1\")");

      model = sero_model_new (provider->id, id, api, base_url);
      if (provider_headers != NULL)
        {
          GHashTableIter iter;
          gpointer key, value;

          model->headers = new_header_table ();
          g_hash_table_iter_init (&iter, provider_headers);
          while (g_hash_table_iter_next (&iter, &key, &value))
            g_hash_table_insert (model->headers, g_strdup (key), g_strdup (value));
        }

      if (!apply_model_fields (model, def, file, model_where, error))
        return FALSE;

      /* As pi's mergeCustomModels(): a custom model replaces a built-in
       * one of the same provider and id, others are added. */
      if (find_model (provider, id, &existing) != NULL)
        g_ptr_array_remove_index (provider->models, existing);
      g_ptr_array_add (provider->models, g_steal_pointer (&model));
    }

  return TRUE;
}

static gboolean
parse_models_file (GPtrArray   *providers,
                   JsonObject  *root,
                   const char  *file,
                   GError     **error)
{
  JsonObject *map = NULL;
  g_autoptr(GList) names = NULL;

  if (!get_object (root, "providers", &map, file, "", error))
    return FALSE;
  if (map == NULL)
    return TRUE;

  names = json_object_get_members (map);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      const char *id = l->data;
      g_autofree char *where = g_strdup_printf ("providers.%s", id);
      g_autoptr(GHashTable) headers = NULL;
      JsonObject *config = NULL;
      JsonArray *models = NULL;
      JsonObject *overrides = NULL;
      const char *base_url = NULL;
      const char *api = NULL;
      const char *api_key = NULL;
      gboolean auth_header = FALSE;
      Provider *provider;

      if (!get_object (map, id, &config, file, "providers", error))
        return FALSE;
      if (config == NULL)
        continue;

      if (!get_string (config, "baseUrl", &base_url, file, where, error) ||
          !get_string (config, "api", &api, file, where, error) ||
          !get_string (config, "apiKey", &api_key, file, where, error) ||
          !get_bool (config, "authHeader", &auth_header, file, where, error) ||
          !get_array (config, "models", &models, file, where, error) ||
          !get_object (config, "modelOverrides", &overrides, file, where, error) ||
          !merge_headers (&headers, config, file, where, error))
        return FALSE;

      provider = find_provider (providers, id);
      if (provider == NULL)
        {
          provider = provider_new (id);
          g_ptr_array_add (providers, provider);
        }

      if (base_url != NULL && *base_url != '\0')
        set_str (&provider->base_url, base_url);
      if (api != NULL && *api != '\0')
        set_str (&provider->api, api);
      if (api_key != NULL && *api_key != '\0')
        set_str (&provider->api_key_config, api_key);
      provider->auth_header = auth_header;

      /* Provider-level settings also reach the built-in models of a
       * built-in provider (pi's ProviderOverride: baseUrl, headers). */
      for (guint i = 0; i < provider->models->len; i++)
        {
          SeroModel *model = g_ptr_array_index (provider->models, i);

          if (base_url != NULL && *base_url != '\0')
            set_str (&model->base_url, base_url);
          if (headers != NULL)
            {
              GHashTableIter iter;
              gpointer key, value;

              if (model->headers == NULL)
                model->headers = new_header_table ();
              g_hash_table_iter_init (&iter, headers);
              while (g_hash_table_iter_next (&iter, &key, &value))
                g_hash_table_insert (model->headers, g_strdup (key), g_strdup (value));
            }
        }

      if (models != NULL && !parse_custom_models (provider, models, headers, file, where, error))
        return FALSE;

      if (overrides != NULL)
        {
          g_autoptr(GList) ids = json_object_get_members (overrides);
          g_autofree char *overrides_where = g_strdup_printf ("%s.modelOverrides", where);

          for (const GList *m = ids; m != NULL; m = m->next)
            {
              g_autofree char *model_where = g_strdup_printf ("%s.%s", overrides_where, (const char *) m->data);
              JsonObject *def = NULL;
              SeroModel *model;

              if (!get_object (overrides, m->data, &def, file, overrides_where, error))
                return FALSE;
              model = find_model (provider, m->data, NULL);
              if (def == NULL || model == NULL)
                continue; /* pi ignores overrides of models it does not know */
              if (!apply_model_fields (model, def, file, model_where, error))
                return FALSE;
            }
        }

      if (provider->api == NULL || provider->base_url == NULL)
        {
          /* An override-only entry for a provider we do not know describes
           * nothing we could reach; say so rather than drop it silently. */
          if (provider->models->len == 0)
            g_warning ("%s: provider “%s” has no models and is not built in; ignoring it", file, id);
        }
    }

  return TRUE;
}

static gboolean
validate_auth (JsonObject  *auth,
               const char  *file,
               GError     **error)
{
  g_autoptr(GList) names = json_object_get_members (auth);

  for (const GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *entry = NULL;
      const char *type = NULL;
      const char *key = NULL;

      if (!get_object (auth, l->data, &entry, file, "", error))
        return FALSE;
      if (entry == NULL)
        continue;
      if (!get_string (entry, "type", &type, file, l->data, error))
        return FALSE;
      if (g_strcmp0 (type, "api_key") == 0 &&
          !get_string (entry, "key", &key, file, l->data, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * sero_model_registry_load:
 *
 * Reads auth.json, models.json and settings.json from the agent folder.
 * All or nothing: when a file is broken the error names it (with line and
 * column, or the field of the wrong type), the registry keeps what it had,
 * and no file is touched. Until a load succeeds, resolve() reports the
 * same error, so a broken file is explained wherever a model is needed.
 */
gboolean
sero_model_registry_load (SeroModelRegistry  *self,
                          GError            **error)
{
  g_autofree char *auth_path = NULL;
  g_autofree char *models_path = NULL;
  g_autofree char *settings_path = NULL;
  g_autoptr(JsonObject) auth = NULL;
  g_autoptr(JsonObject) models = NULL;
  g_autoptr(JsonObject) settings = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *default_provider = NULL;
  const char *default_model = NULL;

  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), FALSE);

  auth_path = g_build_filename (self->agent_dir, "auth.json", NULL);
  models_path = g_build_filename (self->agent_dir, "models.json", NULL);
  settings_path = g_build_filename (self->agent_dir, "settings.json", NULL);

  providers = builtin_provider_list ();

  if ((auth = load_object_file (auth_path, SERO_JSON_FILE_SECRET, &local_error)) == NULL ||
      !validate_auth (auth, auth_path, &local_error) ||
      (models = load_object_file (models_path, SERO_JSON_FILE_NONE, &local_error)) == NULL ||
      !parse_models_file (providers, models, models_path, &local_error) ||
      (settings = load_object_file (settings_path, SERO_JSON_FILE_NONE, &local_error)) == NULL ||
      !get_string (settings, "defaultProvider", &default_provider, settings_path, "", &local_error) ||
      !get_string (settings, "defaultModel", &default_model, settings_path, "", &local_error))
    {
      g_clear_error (&self->load_error);
      self->load_error = g_error_copy (local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_clear_error (&self->load_error);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  self->providers = g_steal_pointer (&providers);
  g_clear_pointer (&self->auth, json_object_unref);
  self->auth = g_steal_pointer (&auth);
  set_str (&self->default_provider, default_provider);
  set_str (&self->default_model, default_model);
  g_hash_table_remove_all (self->command_cache);
  self->loaded = TRUE;

  return TRUE;
}

/* Loads on first use, and again after a failed load: the person may have
 * fixed the file since. */
static gboolean
ensure_loaded (SeroModelRegistry  *self,
               GError            **error)
{
  return self->loaded || sero_model_registry_load (self, error);
}

/* ------------------------------------------------------------------------ */
/* Resolving keys                                                            */

static const SecretSchema *
keyring_schema (void)
{
  static const SecretSchema schema = {
    KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/* What auth.json says for a key kept in the keyring. pi runs it through a
 * shell (resolveConfigValue in auth-storage.ts's getApiKey()), so pi finds
 * the key with secret-tool; we recognise the same words and ask libsecret
 * ourselves instead of spawning a process. */
static char *
keyring_reference (const char *provider)
{
  g_autofree char *quoted = g_shell_quote (provider);
  gboolean plain = TRUE;

  for (const char *p = provider; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      plain = FALSE;

  return g_strdup_printf ("!secret-tool lookup service " KEYRING_SERVICE " provider %s",
                          plain ? provider : quoted);
}

static char *
parse_keyring_reference (const char *command)
{
  g_auto(GStrv) argv = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, NULL))
    return NULL;
  if (g_strv_length (argv) != 6 ||
      !g_str_equal (argv[0], "secret-tool") ||
      !g_str_equal (argv[1], "lookup") ||
      !g_str_equal (argv[2], "service") ||
      !g_str_equal (argv[3], KEYRING_SERVICE) ||
      !g_str_equal (argv[4], "provider"))
    return NULL;

  return g_strdup (argv[5]);
}

typedef struct
{
  gboolean  done;
  gboolean  timed_out;
  char     *out;
  GError   *error;
} CommandWait;

static void
on_command_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CommandWait *wait = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &wait->out, NULL, &wait->error);
  wait->done = TRUE;
}

static gboolean
on_command_timeout (gpointer user_data)
{
  CommandWait *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs "!cmd" as pi does (a shell, stdout trimmed, stderr ignored, 10 s)
 * on a private main context, so a slow password manager cannot run the
 * caller's main loop underneath it, and a hung one cannot hang us. */
static char *
run_config_command (const char  *command,
                    GError     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSource) timeout = NULL;
  CommandWait wait = { 0 };
  g_autofree char *trimmed = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                              G_SUBPROCESS_FLAGS_STDIN_INHERIT,
                              error, "/bin/sh", "-c", command, NULL);
  if (process == NULL)
    return NULL;

  g_main_context_push_thread_default (context);
  timeout = g_timeout_source_new (COMMAND_TIMEOUT_MS);
  g_source_set_callback (timeout, on_command_timeout, &wait, NULL);
  g_source_attach (timeout, context);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_command_done, &wait);
  while (!wait.done && !wait.timed_out)
    g_main_context_iteration (context, TRUE);
  if (!wait.done)
    {
      g_subprocess_force_exit (process);
      while (!wait.done)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (wait.timed_out)
    {
      g_clear_error (&wait.error);
      g_free (wait.out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "“%s” did not finish within %d seconds", command, COMMAND_TIMEOUT_MS / 1000);
      return NULL;
    }
  if (wait.error != NULL)
    {
      g_free (wait.out);
      g_propagate_error (error, wait.error);
      return NULL;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_free (wait.out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "“%s” failed (exit status %d)", command, g_subprocess_get_exit_status (process));
      return NULL;
    }

  trimmed = g_strstrip (wait.out);
  wait.out = NULL;
  if (*trimmed == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "“%s” printed nothing", command);
      return NULL;
    }

  return g_strdup (trimmed);
}

/* Resolves one config value. Returns FALSE with @error when it names a
 * command that failed; TRUE with *out NULL for "none" (or an empty value),
 * which means "send no key". Command results are cached until the next
 * load(), as pi caches them for the life of the process. */
static gboolean
resolve_config_value (SeroModelRegistry  *self,
                      const char         *config,
                      char              **out,
                      GError            **error)
{
  *out = NULL;

  if (config == NULL || *config == '\0' || g_str_equal (config, "none"))
    return TRUE;

  if (config[0] == '!')
    {
      g_autofree char *keyring_provider = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *cached;
      char *value;

      if ((cached = g_hash_table_lookup (self->command_cache, config)) != NULL)
        {
          if (*cached == '\0')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "“%s” failed earlier", config + 1);
              return FALSE;
            }
          *out = g_strdup (cached);
          return TRUE;
        }

      keyring_provider = parse_keyring_reference (config + 1);
      if (keyring_provider != NULL)
        {
          value = secret_password_lookup_sync (keyring_schema (), NULL, &local_error,
                                               "service", KEYRING_SERVICE,
                                               "provider", keyring_provider,
                                               NULL);
          if (value == NULL && local_error == NULL)
            g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "the keyring has no key for %s", keyring_provider);
          else if (value == NULL)
            g_prefix_error (&local_error, "could not read the keyring: ");
        }
      else
        value = run_config_command (config + 1, &local_error);

      if (value == NULL)
        {
          /* Don't cache a keyring miss: the keyring may just be locked. */
          if (keyring_provider == NULL)
            g_hash_table_insert (self->command_cache, g_strdup (config), g_strdup (""));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      g_hash_table_insert (self->command_cache, g_strdup (config), g_strdup (value));
      *out = value;
      return TRUE;
    }

  {
    const char *env = g_getenv (config);

    *out = g_strdup (env != NULL && *env != '\0' ? env : config);
  }
  return TRUE;
}

typedef enum
{
  AUTH_NONE_NEEDED,   /* no key, and none is needed */
  AUTH_KEY,           /* a key */
  AUTH_MISSING,       /* a key is needed and there is none */
} AuthState;

static AuthState
resolve_auth (SeroModelRegistry  *self,
              Provider           *provider,
              char              **key,
              char              **why_missing)
{
  JsonObject *entry = NULL;
  g_autoptr(GError) error = NULL;

  *key = NULL;
  *why_missing = NULL;

  if (self->auth != NULL && json_object_has_member (self->auth, provider->id))
    {
      JsonNode *node = json_object_get_member (self->auth, provider->id);

      if (JSON_NODE_HOLDS_OBJECT (node))
        entry = json_node_get_object (node);
    }

  if (entry != NULL)
    {
      const char *type = json_object_get_string_member_with_default (entry, "type", "");

      if (g_str_equal (type, "api_key"))
        {
          const char *config = json_object_get_string_member_with_default (entry, "key", "");

          /* As pi: an api_key entry decides, even when it resolves to nothing. */
          if (!resolve_config_value (self, config, key, &error))
            {
              *why_missing = g_strdup_printf ("the key in auth.json could not be read (%s)", error->message);
              return AUTH_MISSING;
            }
          if (*key != NULL)
            return AUTH_KEY;
          if (g_str_equal (config, "none"))
            return AUTH_NONE_NEEDED;
        }
      else if (g_str_equal (type, "oauth"))
        *why_missing = g_strdup ("it is signed in through pi's OAuth, which Sero cannot use yet");
    }

  if (provider->env_var != NULL)
    {
      const char *env = g_getenv (provider->env_var);

      if (env != NULL && *env != '\0')
        {
          *key = g_strdup (env);
          return AUTH_KEY;
        }
    }

  if (provider->api_key_config != NULL)
    {
      g_clear_pointer (why_missing, g_free);
      if (!resolve_config_value (self, provider->api_key_config, key, &error))
        {
          *why_missing = g_strdup_printf ("the apiKey in models.json could not be read (%s)", error->message);
          return AUTH_MISSING;
        }
      return *key != NULL ? AUTH_KEY : AUTH_NONE_NEEDED;
    }

  /* A custom provider without apiKey is a local server that wants none. */
  if (!provider->builtin)
    return AUTH_NONE_NEEDED;

  return AUTH_MISSING;
}

static void
set_not_configured (SeroModelRegistry  *self,
                    Provider           *provider,
                    const char         *why,
                    GError            **error)
{
  g_autofree char *auth_path = g_build_filename (self->agent_dir, "auth.json", NULL);

  if (why != NULL)
    g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED,
                 "No API key for %s: %s. Add a key in Preferences%s%s.",
                 provider->id, why,
                 provider->env_var ? " or set " : "",
                 provider->env_var ? provider->env_var : "");
  else if (provider->env_var != NULL)
    g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED,
                 "No API key for %s. Add one in Preferences, set %s, or put it in %s.",
                 provider->id, provider->env_var, auth_path);
  else
    g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED,
                 "No API key for %s. Add one in Preferences or set its apiKey in models.json.",
                 provider->id);
}

/* A copy of @model ready to use: key filled in, header values resolved. */
static SeroModel *
ready_model (SeroModelRegistry  *self,
             Provider           *provider,
             const SeroModel    *model,
             GError            **error)
{
  g_autoptr(SeroModel) copy = sero_model_copy (model);
  g_autofree char *why = NULL;
  char *key = NULL;

  if (resolve_auth (self, provider, &key, &why) == AUTH_MISSING)
    {
      set_not_configured (self, provider, why, error);
      return NULL;
    }
  copy->api_key = key;

  if (copy->headers != NULL)
    {
      g_autoptr(GHashTable) resolved = new_header_table ();
      GHashTableIter iter;
      gpointer name, config;

      g_hash_table_iter_init (&iter, copy->headers);
      while (g_hash_table_iter_next (&iter, &name, &config))
        {
          g_autoptr(GError) local_error = NULL;
          char *value = NULL;

          /* pi drops a header whose value resolves to nothing; so do we,
           * but say why in the log. */
          if (!resolve_config_value (self, config, &value, &local_error))
            g_warning ("Header %s for %s is left out: %s", (const char *) name, provider->id, local_error->message);
          if (value != NULL)
            g_hash_table_insert (resolved, g_strdup (name), value);
        }

      g_clear_pointer (&copy->headers, g_hash_table_unref);
      if (g_hash_table_size (resolved) > 0)
        copy->headers = g_steal_pointer (&resolved);
    }

  if (provider->auth_header && copy->api_key != NULL)
    {
      if (copy->headers == NULL)
        copy->headers = new_header_table ();
      g_hash_table_insert (copy->headers, g_strdup ("Authorization"),
                           g_strdup_printf ("Bearer %s", copy->api_key));
    }

  return g_steal_pointer (&copy);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

static void
sero_model_registry_finalize (GObject *object)
{
  SeroModelRegistry *self = (SeroModelRegistry *) object;

  g_clear_pointer (&self->agent_dir, g_free);
  g_clear_error (&self->load_error);
  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_pointer (&self->auth, json_object_unref);
  g_clear_pointer (&self->default_provider, g_free);
  g_clear_pointer (&self->default_model, g_free);
  g_clear_pointer (&self->command_cache, g_hash_table_unref);

  G_OBJECT_CLASS (sero_model_registry_parent_class)->finalize (object);
}

static void
sero_model_registry_class_init (SeroModelRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sero_model_registry_finalize;
}

static void
sero_model_registry_init (SeroModelRegistry *self)
{
  self->command_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * sero_model_registry_new:
 * @agent_dir: the pi agent folder holding auth.json, models.json and settings.json
 *
 * Nothing is read until sero_model_registry_load() (or the first resolve).
 */
SeroModelRegistry *
sero_model_registry_new (const char *agent_dir)
{
  SeroModelRegistry *self;

  g_return_val_if_fail (agent_dir != NULL, NULL);

  self = g_object_new (SERO_TYPE_MODEL_REGISTRY, NULL);
  self->agent_dir = g_strdup (agent_dir);
  return self;
}

/**
 * sero_model_registry_get_agent_dir:
 *
 * Returns: the folder this registry reads
 */
const char *
sero_model_registry_get_agent_dir (SeroModelRegistry *self)
{
  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), NULL);

  return self->agent_dir;
}

/* Finds @id among @provider's models. Built-in providers also take ids we
 * do not list: our list is a handful where pi's has hundreds, and a
 * provider's new model should not need a Sero release. Such a model gets
 * pi's default limits and no pricing. */
static SeroModel *
resolve_in_provider (SeroModelRegistry  *self,
                     Provider           *provider,
                     const char         *id,
                     GError            **error)
{
  SeroModel *model = find_model (provider, id, NULL);
  g_autoptr(SeroModel) synthetic = NULL;

  if (model == NULL && provider->builtin && provider->api != NULL && provider->base_url != NULL)
    {
      synthetic = sero_model_new (provider->id, id, provider->api, provider->base_url);
      model = synthetic;
    }

  if (model == NULL)
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < provider->models->len; i++)
        {
          SeroModel *m = g_ptr_array_index (provider->models, i);

          g_string_append_printf (known, "%s%s", i ? ", " : "", m->id);
        }
      g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_UNKNOWN_MODEL,
                   "%s has no model “%s”%s%s", provider->id, id,
                   known->len ? "; it has " : "", known->str);
      return NULL;
    }

  return ready_model (self, provider, model, error);
}

static gboolean
provider_usable (SeroModelRegistry *self,
                 Provider          *provider)
{
  g_autofree char *key = NULL;
  g_autofree char *why = NULL;

  if (provider->models->len == 0)
    return FALSE;
  return resolve_auth (self, provider, &key, &why) != AUTH_MISSING;
}

/**
 * sero_model_registry_resolve:
 * @spec: (nullable): "provider/model", or a bare model id; %NULL or "" for
 *   the default (settings.json's defaultProvider/defaultModel, else the
 *   first model of the first provider that has a key)
 *
 * Returns: (transfer full): a copy with the key and headers resolved, or
 *   %NULL with %SERO_MODEL_ERROR_UNKNOWN_MODEL, %SERO_MODEL_ERROR_NOT_CONFIGURED
 *   or the load error of a broken file.
 */
SeroModel *
sero_model_registry_resolve (SeroModelRegistry  *self,
                             const char         *spec,
                             GError            **error)
{
  const char *slash;

  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), NULL);

  if (!ensure_loaded (self, error))
    return NULL;

  if (spec == NULL || *spec == '\0')
    {
      if (self->default_provider != NULL)
        {
          Provider *provider = find_provider (self->providers, self->default_provider);

          if (provider == NULL)
            {
              g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_UNKNOWN_MODEL,
                           "settings.json names the default provider “%s”, which is neither built in nor in models.json",
                           self->default_provider);
              return NULL;
            }
          if (self->default_model != NULL)
            return resolve_in_provider (self, provider, self->default_model, error);
          if (provider->models->len > 0)
            return ready_model (self, provider, g_ptr_array_index (provider->models, 0), error);
        }

      for (guint i = 0; i < self->providers->len; i++)
        {
          Provider *provider = g_ptr_array_index (self->providers, i);

          if (provider_usable (self, provider))
            return ready_model (self, provider, g_ptr_array_index (provider->models, 0), error);
        }

      g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED,
                   "No model provider is set up. Add an API key in Preferences, set ANTHROPIC_API_KEY "
                   "or OPENAI_API_KEY, or describe a local server in %s/models.json.",
                   self->agent_dir);
      return NULL;
    }

  /* Model ids may hold slashes themselves ("openrouter/openai/gpt-5"), so
   * only the first one can separate the provider. */
  slash = strchr (spec, '/');
  if (slash != NULL)
    {
      g_autofree char *provider_id = g_strndup (spec, slash - spec);
      Provider *provider = find_provider (self->providers, provider_id);

      if (provider != NULL)
        return resolve_in_provider (self, provider, slash + 1, error);
    }

  /* A bare id: the first provider listing it, preferring one with a key. */
  {
    Provider *found = NULL;

    for (guint i = 0; i < self->providers->len; i++)
      {
        Provider *provider = g_ptr_array_index (self->providers, i);

        if (find_model (provider, spec, NULL) == NULL)
          continue;
        if (found == NULL)
          found = provider;
        if (provider_usable (self, provider))
          {
            found = provider;
            break;
          }
      }

    if (found != NULL)
      return resolve_in_provider (self, found, spec, error);
  }

  g_set_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_UNKNOWN_MODEL,
               "Unknown model “%s”: write it as provider/model (e.g. anthropic/claude-sonnet-4-5), "
               "or add it to %s/models.json",
               spec, self->agent_dir);
  return NULL;
}

static GPtrArray *
list_models (SeroModelRegistry *self,
             gboolean           usable_only)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) sero_model_free);

  if (!ensure_loaded (self, NULL))
    return list;

  for (guint i = 0; i < self->providers->len; i++)
    {
      Provider *provider = g_ptr_array_index (self->providers, i);

      for (guint j = 0; j < provider->models->len; j++)
        {
          const SeroModel *model = g_ptr_array_index (provider->models, j);
          SeroModel *ready = ready_model (self, provider, model, NULL);

          if (ready == NULL && usable_only)
            break; /* the same for every model of this provider */
          g_ptr_array_add (list, ready != NULL ? ready : sero_model_copy (model));
        }
    }

  return list;
}

/**
 * sero_model_registry_list_available:
 *
 * Returns: (transfer container) (element-type SeroModel): the models that
 *   can be used right now (their provider has a key or needs none), keys
 *   resolved, in provider order. Empty when a file is broken: load() says why.
 */
GPtrArray *
sero_model_registry_list_available (SeroModelRegistry *self)
{
  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), NULL);

  return list_models (self, TRUE);
}

/**
 * sero_model_registry_list_all:
 *
 * Returns: (transfer container) (element-type SeroModel): every known model,
 *   with a key where one resolves, for setup screens that offer providers
 *   still missing a key.
 */
GPtrArray *
sero_model_registry_list_all (SeroModelRegistry *self)
{
  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), NULL);

  return list_models (self, FALSE);
}

/**
 * sero_model_registry_has_key:
 * @provider: a provider id
 *
 * Returns: whether @provider can be used now: it has a key (auth.json,
 *   environment, models.json) or needs none.
 */
gboolean
sero_model_registry_has_key (SeroModelRegistry *self,
                             const char        *provider)
{
  Provider *p;

  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);

  if (!ensure_loaded (self, NULL))
    return FALSE;
  p = find_provider (self->providers, provider);
  return p != NULL && provider_usable (self, p);
}

static gboolean
keyring_store (const char  *provider,
               const char  *key,
               GError     **error)
{
  g_autofree char *label = g_strdup_printf ("Sero API key for %s", provider);

  return secret_password_store_sync (keyring_schema (), SECRET_COLLECTION_DEFAULT,
                                     label, key, NULL, error,
                                     "service", KEYRING_SERVICE,
                                     "provider", provider,
                                     NULL);
}

/**
 * sero_model_registry_store_api_key:
 * @provider: a provider id, e.g. "anthropic"
 * @key: the key a person entered
 *
 * Keeps @key for @provider. With a desktop keyring (Secret Service over
 * D-Bus) the key goes there, and auth.json records
 * `{"type": "api_key", "key": "!secret-tool lookup service ai.sero provider <id>"}`:
 * pi runs "!" values through a shell (resolveConfigValue), so pi still finds
 * the key as long as secret-tool (libsecret-tools) is installed; Sero reads
 * the keyring directly. Without a keyring, auth.json holds the key itself,
 * at mode 0600. Other entries in auth.json are kept as they are; a broken
 * auth.json is reported and left untouched.
 *
 * This blocks on D-Bus and the disk; it is meant for a person pressing Save.
 */
gboolean
sero_model_registry_store_api_key (SeroModelRegistry  *self,
                                   const char         *provider,
                                   const char         *key,
                                   GError            **error)
{
  g_autofree char *auth_path = NULL;
  g_autoptr(JsonObject) auth = NULL;
  g_autoptr(GError) keyring_error = NULL;
  g_autofree char *trimmed = NULL;
  g_autofree char *reference = NULL;
  JsonObject *entry;

  g_return_val_if_fail (SERO_IS_MODEL_REGISTRY (self), FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  trimmed = g_strstrip (g_strdup (key));
  if (*provider == '\0' || *trimmed == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "An API key needs a provider and a key; the key was empty");
      return FALSE;
    }

  auth_path = g_build_filename (self->agent_dir, "auth.json", NULL);
  auth = load_object_file (auth_path, SERO_JSON_FILE_SECRET, error);
  if (auth == NULL || !validate_auth (auth, auth_path, error))
    return FALSE;

  if (keyring_store (provider, trimmed, &keyring_error))
    reference = keyring_reference (provider);
  else
    g_debug ("No keyring (%s); the key for %s goes into %s at mode 0600",
             keyring_error->message, provider, auth_path);

  entry = json_object_new ();
  json_object_set_string_member (entry, "type", "api_key");
  json_object_set_string_member (entry, "key", reference != NULL ? reference : trimmed);
  json_object_set_object_member (auth, provider, entry);

  if (!sero_json_file_save_object (auth_path, auth, SERO_JSON_FILE_SECRET, error))
    return FALSE;

  g_clear_pointer (&self->auth, json_object_unref);
  self->auth = g_steal_pointer (&auth);
  if (reference != NULL)
    g_hash_table_remove (self->command_cache, reference);

  return TRUE;
}
