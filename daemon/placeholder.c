typedef int rd_placeholder;
