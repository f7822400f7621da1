/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-model"

#include "config.h"

#include <string.h>

#include "sero-model.h"

G_DEFINE_BOXED_TYPE (SeroModel, sero_model, sero_model_copy, sero_model_free)

/**
 * sero_model_new:
 * @provider: the provider id
 * @id: the model id sent on the wire
 * @api: "anthropic-messages" or "openai-completions"
 * @base_url: where the provider listens
 *
 * Returns: (transfer full): a model named after its id, with no key, no
 *   extra headers, pi's defaults for the limits (128k context, 16k output)
 *   and no pricing.
 */
SeroModel *
sero_model_new (const char *provider,
                const char *id,
                const char *api,
                const char *base_url)
{
  SeroModel *model;

  g_return_val_if_fail (provider != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (api != NULL, NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  model = g_new0 (SeroModel, 1);
  model->provider = g_strdup (provider);
  model->id = g_strdup (id);
  model->name = g_strdup (id);
  model->api = g_strdup (api);
  model->base_url = g_strdup (base_url);
  model->context_window = 128000;
  model->max_tokens = 16384;
  return model;
}

SeroModel *
sero_model_copy (const SeroModel *model)
{
  SeroModel *copy;

  g_return_val_if_fail (model != NULL, NULL);

  copy = g_new0 (SeroModel, 1);
  copy->provider = g_strdup (model->provider);
  copy->id = g_strdup (model->id);
  copy->name = g_strdup (model->name);
  copy->api = g_strdup (model->api);
  copy->base_url = g_strdup (model->base_url);
  copy->api_key = g_strdup (model->api_key);
  if (model->headers != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      copy->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, model->headers);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (copy->headers, g_strdup (key), g_strdup (value));
    }
  copy->reasoning = model->reasoning;
  copy->context_window = model->context_window;
  copy->max_tokens = model->max_tokens;
  copy->cost = model->cost;
  return copy;
}

void
sero_model_free (SeroModel *model)
{
  if (model == NULL)
    return;

  g_free (model->provider);
  g_free (model->id);
  g_free (model->name);
  g_free (model->api);
  g_free (model->base_url);
  /* The key lived in memory long enough; don't leave it in freed pages. */
  if (model->api_key != NULL)
    {
      memset (model->api_key, 0, strlen (model->api_key));
      g_free (model->api_key);
    }
  g_clear_pointer (&model->headers, g_hash_table_unref);
  g_free (model);
}

/**
 * sero_model_dup_spec:
 *
 * Returns: (transfer full): "provider/id", what sessions record and
 *   sero_model_registry_resolve() accepts back.
 */
char *
sero_model_dup_spec (const SeroModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);

  return g_strdup_printf ("%s/%s", model->provider, model->id);
}
