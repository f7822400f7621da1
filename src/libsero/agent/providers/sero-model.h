/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SeroModelCost:
 * @input: US dollars per million input tokens
 * @output: per million output tokens
 * @cache_read: per million cache-read tokens
 * @cache_write: per million cache-write tokens
 */
typedef struct
{
  double input;
  double output;
  double cache_read;
  double cache_write;
} SeroModelCost;

/**
 * SeroModel:
 * @provider: the provider id, e.g. "anthropic", "openai", "ollama"
 * @id: the model id sent on the wire, e.g. "claude-sonnet-4-5"
 * @name: what a person reads
 * @api: "anthropic-messages" or "openai-completions"
 * @base_url: e.g. "https://api.anthropic.com" or "https://api.openai.com/v1"
 * @api_key: (nullable): the resolved key; %NULL sends no authentication
 * @headers: (nullable): extra request headers, values resolved
 * @reasoning: whether the model can think
 * @context_window: tokens
 * @max_tokens: the most output tokens asked for
 * @cost: pricing, for usage cost
 *
 * One model a session can talk to, with everything needed to reach it.
 * Plain data: the registry builds these and hands out copies.
 */
typedef struct
{
  char          *provider;
  char          *id;
  char          *name;
  char          *api;
  char          *base_url;
  char          *api_key;
  GHashTable    *headers;
  gboolean       reasoning;
  guint          context_window;
  guint          max_tokens;
  SeroModelCost  cost;
} SeroModel;

#define SERO_TYPE_MODEL (sero_model_get_type ())

GType      sero_model_get_type (void) G_GNUC_CONST;
SeroModel *sero_model_new      (const char      *provider,
                                const char      *id,
                                const char      *api,
                                const char      *base_url);
SeroModel *sero_model_copy     (const SeroModel *model);
void       sero_model_free     (SeroModel       *model);
char      *sero_model_dup_spec (const SeroModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroModel, sero_model_free)

G_END_DECLS
