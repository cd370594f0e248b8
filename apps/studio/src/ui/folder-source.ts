/**
 * A model folder the user chooses, as its top-level files by name: the File System Access API's
 * directory picker where the browser has it, else `<input type=file webkitdirectory>`; or a folder
 * dropped on the page (DataTransfer entries). Sub-folders are ignored: a model folder is flat.
 */
export interface ChosenFolder {
  name: string;
  files: Map<string, File>;
}

interface DirectoryHandle {
  name: string;
  values(): AsyncIterable<{ kind: 'file' | 'directory'; name: string; getFile(): Promise<File> }>;
}

type WithPicker = Window & { showDirectoryPicker?: (options?: { mode?: 'read' }) => Promise<DirectoryHandle> };

/** Opens the browser's folder picker; null when the user cancels. */
export async function pickFolder(fallbackInput: HTMLInputElement): Promise<ChosenFolder | null> {
  const picker = (window as WithPicker).showDirectoryPicker;
  if (picker) {
    let dir: DirectoryHandle;
    try {
      dir = await picker.call(window, { mode: 'read' });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return null;
      throw err;
    }
    const files = new Map<string, File>();
    for await (const entry of dir.values()) if (entry.kind === 'file') files.set(entry.name, await entry.getFile());
    return { name: dir.name, files };
  }
  return new Promise((resolve) => {
    fallbackInput.onchange = () => resolve(folderOfInput(fallbackInput.files));
    fallbackInput.click();
  });
}

/** The top-level files of a `webkitdirectory` input's selection (paths are `folder/name`). */
export function folderOfInput(list: FileList | null): ChosenFolder | null {
  if (!list || list.length === 0) return null;
  const files = new Map<string, File>();
  let name = '';
  for (const file of Array.from(list)) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    name ||= parts.length > 1 ? parts[0]! : 'folder';
    if (parts.length <= 2) files.set(parts.at(-1)!, file);
  }
  return { name, files };
}

function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = (): void => reader.readEntries((batch) => {
      if (batch.length === 0) return resolve(all);
      all.push(...batch);
      next();
    }, reject);
    next();
  });
}

/** A folder dropped on the page, or loose files dropped together (taken as one folder). */
export async function droppedFolder(data: DataTransfer): Promise<ChosenFolder | null> {
  const entries = Array.from(data.items).map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const dir = entries.find((e): e is FileSystemDirectoryEntry => e.isDirectory);
  const fileEntries = dir ? (await readAll(dir)).filter((e): e is FileSystemFileEntry => e.isFile) : [];
  if (dir) {
    const files = new Map<string, File>();
    for (const e of fileEntries) files.set(e.name, await new Promise<File>((resolve, reject) => e.file(resolve, reject)));
    return { name: dir.name, files };
  }
  if (data.files.length === 0) return null;
  return { name: 'dropped files', files: new Map(Array.from(data.files).map((f) => [f.name, f])) };
}
