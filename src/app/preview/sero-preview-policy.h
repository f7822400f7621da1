/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SeroPreviewVerdict:
 * @SERO_PREVIEW_VERDICT_ALLOW: load it in the preview
 * @SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY: hand it to the system browser and load nothing here
 * @SERO_PREVIEW_VERDICT_DENY: do nothing at all
 *
 * What the preview does with a navigation or a new-window request. The
 * functions that decide are pure, so the whole policy is unit-tested
 * without a display or a web process (issue 7).
 */
typedef enum
{
  SERO_PREVIEW_VERDICT_ALLOW,
  SERO_PREVIEW_VERDICT_OPEN_EXTERNALLY,
  SERO_PREVIEW_VERDICT_DENY,
} SeroPreviewVerdict;

/* Every audit line starts with this, so `grep '\[preview\]'` finds them all. */
#define SERO_PREVIEW_AUDIT_PREFIX "[preview]"

const char         *sero_preview_policy_get_csp           (void);
gboolean            sero_preview_policy_check_url         (const char  *url,
                                                           GError     **error);
gboolean            sero_preview_policy_is_web_url        (const char  *url);
char               *sero_preview_policy_dup_origin        (const char  *url);
SeroPreviewVerdict  sero_preview_policy_decide_navigation (const char  *origin,
                                                           const char  *url,
                                                           gboolean     user_initiated);
SeroPreviewVerdict  sero_preview_policy_decide_popup      (const char  *url,
                                                           gboolean     user_initiated);
char               *sero_preview_policy_format_audit      (const char  *action,
                                                           const char  *subject);
void                sero_preview_policy_audit             (const char  *action,
                                                           const char  *subject);

G_END_DECLS
