/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-bash-gate.h"
#include "sero-feedback-bridge.h"
#include "sero-runtime.h"

G_BEGIN_DECLS

/* The pi truncation conventions: whichever limit is hit first. */
#define SERO_TOOL_MAX_LINES 2000
#define SERO_TOOL_MAX_BYTES (50 * 1024)

/**
 * SeroToolResult:
 * @content: pi content blocks: `{type: "text", text}` and
 *   `{type: "image", data (base64), mimeType}`
 * @is_error: the tool failed; @content says why
 * @details: (nullable): extra structured facts (exit code, truncation, path)
 */
typedef struct
{
  JsonArray  *content;
  gboolean    is_error;
  JsonObject *details;
} SeroToolResult;

#define SERO_TYPE_TOOL_RESULT (sero_tool_result_get_type ())

GType           sero_tool_result_get_type (void) G_GNUC_CONST;
SeroToolResult *sero_tool_result_new_text (const char           *text,
                                           gboolean              is_error);
SeroToolResult *sero_tool_result_copy     (const SeroToolResult *result);
void            sero_tool_result_free     (SeroToolResult       *result);
char           *sero_tool_result_dup_text (const SeroToolResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroToolResult, sero_tool_result_free)

#define SERO_TYPE_TOOLBOX (sero_toolbox_get_type ())

G_DECLARE_FINAL_TYPE (SeroToolbox, sero_toolbox, SERO, TOOLBOX, GObject)

SeroToolbox    *sero_toolbox_new            (SeroRuntime          *runtime,
                                             SeroBashGate         *gate,
                                             SeroFeedbackBridge   *bridge);
JsonArray      *sero_toolbox_get_specs      (SeroToolbox          *self);
const char     *sero_toolbox_get_root       (SeroToolbox          *self);
void            sero_toolbox_execute_async  (SeroToolbox          *self,
                                             const char           *tool_call_id,
                                             const char           *tool_name,
                                             JsonObject           *arguments,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
SeroToolResult *sero_toolbox_execute_finish (SeroToolbox          *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
