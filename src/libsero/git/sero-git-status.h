/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * SeroGitStatus:
 * @branch: (nullable): the branch, the short commit id when @detached, or
 *   %NULL when the folder is not in a (non-bare) repository
 * @detached: HEAD points at a commit, not at a branch
 * @changed: files with a staged or an unstaged change, untracked ones
 *   included and ignored ones not, counted inside the queried folder
 * @upstream: (nullable): the branch's upstream, like `origin/main`, or %NULL
 *   when it has none (or it was never fetched)
 * @ahead: commits on the branch that its upstream lacks
 * @behind: commits on the upstream that the branch lacks
 *
 * What the workspace tree shows next to a workspace (issue 5).
 */
typedef struct
{
  char     *branch;
  gboolean  detached;
  guint     changed;
  char     *upstream;
  guint     ahead;
  guint     behind;
} SeroGitStatus;

#define SERO_TYPE_GIT_STATUS (sero_git_status_get_type ())

GType          sero_git_status_get_type     (void) G_GNUC_CONST;
SeroGitStatus *sero_git_status_copy         (const SeroGitStatus *status);
void           sero_git_status_free         (SeroGitStatus       *status);
SeroGitStatus *sero_git_status_query        (const char          *path,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           sero_git_status_query_async  (const char          *path,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
SeroGitStatus *sero_git_status_query_finish (GAsyncResult        *result,
                                             GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroGitStatus, sero_git_status_free)

#define SERO_TYPE_GIT_WATCHER (sero_git_watcher_get_type ())

G_DECLARE_FINAL_TYPE (SeroGitWatcher, sero_git_watcher, SERO, GIT_WATCHER, GObject)

SeroGitWatcher *sero_git_watcher_new               (const char     *path);
const char     *sero_git_watcher_get_path          (SeroGitWatcher *self);
const char     *sero_git_watcher_get_branch        (SeroGitWatcher *self);
gboolean        sero_git_watcher_get_detached      (SeroGitWatcher *self);
guint           sero_git_watcher_get_changed       (SeroGitWatcher *self);
gboolean        sero_git_watcher_get_is_repository (SeroGitWatcher *self);
void            sero_git_watcher_refresh           (SeroGitWatcher *self);

G_END_DECLS
