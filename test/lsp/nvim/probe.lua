-- Drives `aloft lsp` from Debian's neovim (0.7.2 API: vim.lsp.start_client,
-- no vim.lsp.start, no LspAttach), the way a user's init.lua would, and writes
-- everything neovim itself read to a JSON report for test/lsp/neovim.test.ts.
-- Run: nvim --headless -u NONE -i NONE -n -c 'luafile probe.lua'
-- Inputs come from the environment, because -c leaves no clean way to pass arguments:
--   ALOFT_PROBE_CMD        JSON array, the server's command line
--   ALOFT_PROBE_FILE       the workflow file to open (absolute)
--   ALOFT_PROBE_ROOT       the workspace folder (absolute)
--   ALOFT_PROBE_REPORT     where to write the report
--   ALOFT_PROBE_FIX_FROM   text on one line of the file that is wrong...
--   ALOFT_PROBE_FIX_TO     ...and what the edit replaces it with
--   ALOFT_PROBE_TIMEOUT_MS how long to wait for each answer

local env = vim.env
local timeout_ms = tonumber(env.ALOFT_PROBE_TIMEOUT_MS) or 60000

local report = {
  version = vim.version(),
  steps = {},
  -- Raw textDocument/publishDiagnostics params, in arrival order.
  published = {},
  -- Each time DiagnosticChanged fired for the buffer: what vim.diagnostic.get(bufnr)
  -- held, and the version of the publish it followed (a reset, on exit, follows none).
  diagnostic_events = {},
  server_log = {},
  shown = {},
  rpc_errors = {},
}

local function step(name)
  table.insert(report.steps, name)
end

local function recording(method, into)
  local default = vim.lsp.handlers[method]
  return function(err, result, ctx, config)
    table.insert(into, vim.deepcopy(result))
    return default(err, result, ctx, config)
  end
end

local function vim_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      source = d.source,
      code = d.code,
      message = d.message,
    })
  end
  return out
end

-- Waits for a DiagnosticChanged event after event number `after` whose
-- diagnostics satisfy `accept`; the event also fires for an empty list.
local function wait_for_diagnostics(after, accept)
  local found
  local ok = vim.wait(timeout_ms, function()
    for i = after + 1, #report.diagnostic_events do
      if accept(report.diagnostic_events[i]) then
        found = report.diagnostic_events[i]
        return true
      end
    end
    return false
  end, 20)
  return ok and found or nil
end

local function codelens_virtual_text(bufnr, client_id)
  local ns = vim.api.nvim_get_namespaces()["vim_lsp_codelens:" .. client_id]
  if not ns then return {} end
  local lines = {}
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
    local text = ""
    for _, chunk in ipairs(mark[4].virt_text or {}) do
      text = text .. chunk[1]
    end
    table.insert(lines, { lnum = mark[2], text = text })
  end
  return lines
end

local function probe()
  vim.cmd("edit " .. vim.fn.fnameescape(env.ALOFT_PROBE_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  -- -u NONE turns filetype detection off; the filetype becomes didOpen's languageId.
  vim.bo[bufnr].filetype = "typescript"
  step("opened")

  vim.api.nvim_create_autocmd("DiagnosticChanged", {
    buffer = bufnr,
    callback = function()
      local last = report.published[#report.published]
      table.insert(report.diagnostic_events, { version = last and last.version, diagnostics = vim_diagnostics(bufnr) })
    end,
  })

  local capabilities = vim.lsp.protocol.make_client_capabilities()
  -- 0.7.2 does not announce code lenses; servers that honour capabilities would send none.
  capabilities.textDocument.codeLens = { dynamicRegistration = false }

  local exited = false
  local client_id = vim.lsp.start_client({
    name = "aloft",
    cmd = vim.fn.json_decode(env.ALOFT_PROBE_CMD),
    cmd_cwd = env.ALOFT_PROBE_ROOT,
    root_dir = env.ALOFT_PROBE_ROOT,
    capabilities = capabilities,
    handlers = {
      ["textDocument/publishDiagnostics"] = recording("textDocument/publishDiagnostics", report.published),
      ["window/logMessage"] = recording("window/logMessage", report.server_log),
      ["window/showMessage"] = recording("window/showMessage", report.shown),
    },
    on_init = function(_, result)
      report.server_capabilities = result.capabilities
      report.server_info = result.serverInfo
    end,
    on_error = function(code, err)
      table.insert(report.rpc_errors, { code = vim.lsp.client_errors[code] or code, err = vim.inspect(err) })
    end,
    on_exit = function(code, signal)
      report.exit = { code = code, signal = signal }
      exited = true
    end,
  })
  if not client_id then
    error("vim.lsp.start_client did not start " .. env.ALOFT_PROBE_CMD)
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  step("started")

  local planted = wait_for_diagnostics(0, function(event) return #event.diagnostics > 0 end)
  if not planted then
    error("no diagnostics came within " .. timeout_ms .. " ms of opening the file")
  end
  report.planted = planted.diagnostics
  report.planted_version = planted.version
  step("diagnosed")

  local client = vim.lsp.get_client_by_id(client_id)
  local lenses, lens_error = client.request_sync(
    "textDocument/codeLens",
    { textDocument = vim.lsp.util.make_text_document_params(bufnr) },
    timeout_ms,
    bufnr
  )
  if not lenses then
    error("textDocument/codeLens got no answer: " .. tostring(lens_error))
  end
  report.lenses = lenses
  step("lenses")

  -- What a user sees: the lenses neovim draws as virtual text.
  vim.lsp.codelens.refresh()
  vim.wait(timeout_ms, function()
    return #vim.lsp.codelens.get(bufnr) > 0
  end, 20)
  report.lens_text = codelens_virtual_text(bufnr, client_id)
  step("lenses shown")

  local from, to = env.ALOFT_PROBE_FIX_FROM, env.ALOFT_PROBE_FIX_TO
  local fixed_line
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local first, last = line:find(from, 1, true)
    if first then
      fixed_line = lnum - 1
      local fixed = line:sub(1, first - 1) .. to .. line:sub(last + 1)
      local mark = #report.diagnostic_events
      vim.api.nvim_buf_set_lines(bufnr, fixed_line, fixed_line + 1, false, { fixed })
      report.fixed_line = fixed_line
      -- The version neovim gives the edited text (its changedtick), sent in didChange.
      report.edited_version = vim.lsp.util.buf_versions[bufnr]
      step("edited")
      local cleared = wait_for_diagnostics(mark, function(event)
        return #event.diagnostics == 0 and event.version == vim.lsp.util.buf_versions[bufnr]
      end)
      if not cleared then
        error("the diagnostics did not clear within " .. timeout_ms .. " ms of the edit")
      end
      report.after_fix = cleared.diagnostics
      report.fixed_version = cleared.version
      step("cleared")
      break
    end
  end
  if not fixed_line then
    error(string.format("no line of %s contains %q", env.ALOFT_PROBE_FILE, from))
  end

  vim.lsp.stop_client(client_id)
  vim.wait(timeout_ms, function() return exited end, 20)
  step("stopped")
end

local ok, err = xpcall(probe, debug.traceback)
if not ok then
  report.error = err
end
local out = assert(io.open(env.ALOFT_PROBE_REPORT, "w"))
out:write(vim.fn.json_encode(report))
out:close()
vim.cmd("qa!")
