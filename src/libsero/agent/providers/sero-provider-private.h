/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sero-provider.h"

G_BEGIN_DECLS

/* The split between sero-provider.c and one file per wire protocol:
 *
 * sero-provider.c owns the HTTP exchange (libsoup), the SSE framing, the
 * retries and the assistant message being built; a protocol turns a pi
 * request into its request body, and each SSE event of its answer into
 * calls on the stream below. */

typedef struct _SeroProviderStream SeroProviderStream;

typedef enum
{
  SERO_BLOCK_TEXT,
  SERO_BLOCK_THINKING,
  SERO_BLOCK_TOOL_CALL,
} SeroBlockKind;

typedef struct
{
  const char *api;

  /* Builds the request: URL, JSON body and the protocol's headers. */
  SoupMessage *(*build_message) (const SeroModel           *model,
                                 const SeroProviderRequest *request,
                                 GError                   **error);

  gpointer     (*state_new)     (void);
  void         (*state_free)    (gpointer state);

  /* One SSE event (@event is "message" when the server named none). A
   * %SERO_PROVIDER_ERROR error stops the attempt: PROTOCOL for a malformed
   * stream, SERVER / RATE_LIMITED for an error event (retried while nothing
   * was delivered), AUTH or REQUEST for the rest. */
  gboolean     (*handle_event)  (SeroProviderStream *stream,
                                 const char         *event,
                                 const char         *data,
                                 GError            **error);
} SeroProviderProtocol;

extern const SeroProviderProtocol _sero_provider_anthropic;
extern const SeroProviderProtocol _sero_provider_openai;

const SeroModel *_sero_provider_stream_get_model        (SeroProviderStream *stream);
gpointer         _sero_provider_stream_get_state        (SeroProviderStream *stream);
guint            _sero_provider_stream_open_block       (SeroProviderStream *stream,
                                                         SeroBlockKind       kind,
                                                         const char         *tool_call_id,
                                                         const char         *tool_name);
guint            _sero_provider_stream_get_n_blocks     (SeroProviderStream *stream);
gboolean         _sero_provider_stream_get_block_kind   (SeroProviderStream *stream,
                                                         guint               index,
                                                         SeroBlockKind      *kind);
void             _sero_provider_stream_append           (SeroProviderStream *stream,
                                                         guint               index,
                                                         const char         *delta);
void             _sero_provider_stream_append_signature (SeroProviderStream *stream,
                                                         guint               index,
                                                         const char         *signature);
void             _sero_provider_stream_set_redacted     (SeroProviderStream *stream,
                                                         guint               index);
void             _sero_provider_stream_close_block      (SeroProviderStream *stream,
                                                         guint               index);
void             _sero_provider_stream_close_all        (SeroProviderStream *stream);
/* A negative count leaves that count as it was. */
void             _sero_provider_stream_set_usage        (SeroProviderStream *stream,
                                                         gint64              input,
                                                         gint64              output,
                                                         gint64              cache_read,
                                                         gint64              cache_write);
void             _sero_provider_stream_set_stop_reason  (SeroProviderStream *stream,
                                                         const char         *pi_stop_reason);
void             _sero_provider_stream_set_done         (SeroProviderStream *stream);

/* Helpers both protocols use. */
JsonObject      *_sero_provider_parse_object            (const char         *data,
                                                         const char         *provider,
                                                         GError            **error);
char            *_sero_provider_join_url                (const char         *base,
                                                         const char         *path);
void             _sero_provider_apply_headers           (SoupMessage        *message,
                                                         const SeroModel    *model);
JsonArray       *_sero_provider_content_blocks          (JsonObject         *message);
char            *_sero_provider_tool_result_text        (JsonObject         *message);

G_END_DECLS
