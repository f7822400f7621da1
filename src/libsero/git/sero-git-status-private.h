/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-git-status.h"

G_BEGIN_DECLS

/* For tests: how many status queries the watcher has started, to show that
 * bursts of file-monitor events coalesce. */
guint    _sero_git_watcher_get_query_count   (SeroGitWatcher *self);
/* For tests: how many folders the watcher monitors right now. */
guint    _sero_git_watcher_get_monitor_count (SeroGitWatcher *self);
/* For tests: no query running and none scheduled. */
gboolean _sero_git_watcher_is_idle           (SeroGitWatcher *self);

G_END_DECLS
