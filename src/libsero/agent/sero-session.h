/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-feedback-bridge.h"
#include "sero-model-registry.h"
#include "sero-runtime.h"
#include "sero-session-file.h"

G_BEGIN_DECLS

typedef enum
{
  SERO_SESSION_STATE_IDLE,
  SERO_SESSION_STATE_RUNNING,
  SERO_SESSION_STATE_AWAITING_INPUT,
} SeroSessionState;

/**
 * SeroSessionUsage:
 * @input: input tokens over the whole session
 * @output: output tokens
 * @cache_read: cache-read tokens
 * @cache_write: cache-write tokens
 * @cost: US dollars, from the models' pricing
 */
typedef struct
{
  guint64 input;
  guint64 output;
  guint64 cache_read;
  guint64 cache_write;
  double  cost;
} SeroSessionUsage;

#define SERO_TYPE_SESSION (sero_session_get_type ())

G_DECLARE_FINAL_TYPE (SeroSession, sero_session, SERO, SESSION, GObject)

/*
 * The one event stream ("event" signal: const char *type, JsonObject *payload)
 * that the session view and the gateway both consume. Payloads (camelCase,
 * as in the original's renderer events):
 *
 *   state              {state: "idle"|"running"|"awaiting_input"}
 *   agent_start        {}
 *   message_start      {messageId, message}       a user message, or an empty assistant one
 *   text_delta         {messageId, contentIndex, delta}
 *   thinking_delta     {messageId, contentIndex, delta}
 *   message_end        {messageId, message}       the whole pi message, with usage
 *   tool_start         {toolCallId, toolName, input}
 *   tool_end           {toolCallId, toolName, output, isError, images?}
 *   permission_request {requestId, prompt, expiresAt}   expiresAt: unix ms
 *   permission_resolved {requestId, answer: "allow"|"block"|"cancelled"}
 *   question_request   {requestId, title, options: [string], allowFreeText}
 *   question_resolved  {requestId, answer?}
 *   retry              {attempt, delayMs, message}
 *   session_name       {name}
 *   runtime_notice     {message}
 *   agent_end          {outcome: "completed"|"cancelled"|"error", error?}
 */

SeroSession      *sero_session_new                (SeroSessionFile      *file,
                                                   SeroRuntime          *runtime,
                                                   SeroModelRegistry    *models);
SeroSessionFile  *sero_session_get_file           (SeroSession          *self);
const char       *sero_session_get_id             (SeroSession          *self);
SeroRuntime      *sero_session_get_runtime        (SeroSession          *self);
SeroSessionState  sero_session_get_state          (SeroSession          *self);
const char       *sero_session_get_title          (SeroSession          *self);
gboolean          sero_session_get_interactive    (SeroSession          *self);
void              sero_session_set_interactive    (SeroSession          *self,
                                                   gboolean              interactive);
char             *sero_session_dup_model_spec     (SeroSession          *self);
gboolean          sero_session_set_model          (SeroSession          *self,
                                                   const char           *spec,
                                                   GError              **error);
GPtrArray        *sero_session_dup_messages       (SeroSession          *self);
SeroSessionUsage  sero_session_get_usage          (SeroSession          *self);
void              sero_session_prompt_async       (SeroSession          *self,
                                                   const char           *text,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean          sero_session_prompt_finish      (SeroSession          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void              sero_session_steer              (SeroSession          *self,
                                                   const char           *text);
void              sero_session_abort              (SeroSession          *self);
gboolean          sero_session_rename             (SeroSession          *self,
                                                   const char           *name,
                                                   GError              **error);
gboolean          sero_session_delete             (SeroSession          *self,
                                                   GError              **error);
void              sero_session_answer_permission  (SeroSession          *self,
                                                   const char           *request_id,
                                                   SeroPermissionAnswer  answer);
void              sero_session_answer_question    (SeroSession          *self,
                                                   const char           *request_id,
                                                   const char           *answer);

G_END_DECLS
