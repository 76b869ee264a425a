# Reads every attribute of every group and dataset of an HDF5 file with R's hdf5r (Debian's
# r-cran-hdf5r), as an R user of the tool's files would, and prints one tab-separated line per
# attribute: object path, attribute name, R class, length, and the value of a scalar string or
# number (numbers with 17 significant digits). A failure prints ERROR and the reason instead.
# Usage: Rscript read_every_attribute.R FILE
suppressMessages(library(hdf5r))
path <- commandArgs(trailingOnly = TRUE)[1]
f <- H5File$new(path, mode = "r")
objects <- c("/", list.groups(f, recursive = TRUE), list.datasets(f, recursive = TRUE))
for (p in objects) {
  object <- if (p == "/") f else f[[p]]
  for (name in list.attributes(object)) {
    line <- tryCatch({
      value <- h5attr(object, name)
      shown <- ""
      if (length(value) == 1 && (is.character(value) || is.numeric(value)) && !is.list(value)) {
        shown <- if (is.character(value)) value else format(as.numeric(value), digits = 17)
      }
      paste(p, name, class(value)[1], length(value), gsub("[\t\n]", " ", shown), sep = "\t")
    }, error = function(e) paste(p, name, "ERROR", gsub("[\t\n]", " ", conditionMessage(e)), "", sep = "\t"))
    cat(line, "\n", sep = "")
  }
  if (p != "/") object$close()
}
f$close_all()
